"""The errors kg reports to its users.

Every expected failure is a ``KgError`` whose message is one line that names the file,
parameter, store or endpoint concerned; the command line prints it as ``kg: error: …``.
Anything else is a bug and keeps its traceback.
"""
from __future__ import annotations


class KgError(Exception):
    """An expected failure with a one-line message for the user."""

    #: process exit status when the command line stops on this error
    exit_code = 2


class InputError(KgError):
    """A document, graph file, parameter or data file cannot be used as given."""


class StoreError(KgError):
    """An RDF file cannot be loaded or an on-disk store cannot be opened."""


class StoreInUse(StoreError):
    """Another process holds the on-disk store."""


class ExportError(KgError):
    """A dataset cannot be written; the message names the file or format."""


class QueryError(KgError):
    """A saved query or its parameters cannot be used, or the query failed."""


class RemoteError(KgError):
    """A remote store refused a request or sent an answer kg cannot read."""


class RemoteUnreachable(RemoteError):
    """The store cannot be reached at all (refused connection, unknown host)."""


class RemoteTimeout(RemoteUnreachable):
    """The store sent no answer (or took no connection) within the timeout."""


class RemoteAuthError(RemoteError):
    """The store rejected the credentials."""


class RemoteBadAnswer(RemoteError):
    """The store answered with something kg cannot read (not HTTP, not UTF-8, not SPARQL
    JSON results): the URL is not a SPARQL endpoint, or the store is broken."""


class PushInterrupted(RemoteError):
    """A push stopped part way (the store went away); ``reports`` are the graphs done
    before, in order, so that they can still be listed."""

    def __init__(self, message: str, reports: list):
        super().__init__(message)
        self.reports = reports


class ActorNotFound(KgError, LookupError):
    """No actor of the graph fits the name."""

    exit_code = 1
