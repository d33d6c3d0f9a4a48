"""HanTa's tagger, the same results in a fraction of the time.

HanTa (``HanoverTagger``) spends its time in three searches written for clarity: the
morpheme-level Viterbi that gives a word it has never seen its tag probabilities
(``analyze_forward``), the one that segments a word for its lemma (``analyze_viterbi``) and
the word-level Viterbi over a sentence (``tag_sent_viterbi``). ``FastHanoverTagger``
overrides exactly these with searches that visit the same states in the same order and
add the same floats in the same order, so tags and lemmas are identical
(tests/test_hanta_fast.py compares both on real sentences), but they

- skip the morpheme/tag pairs that can have no probability instead of computing minus
  infinity for each: known morphemes are found through one index of all of them (a walk
  stops where no morpheme begins), and an open-class tag's guess reads the ending's
  probability once per word and end;
- look up a word's tag probabilities once per run (``word_cache`` entries, bounded) instead
  of once per occurrence;
- in the sentence Viterbi visit only the tags a word can have, not every tag that may follow.
"""
from __future__ import annotations

import math
from operator import itemgetter

from HanTa import HanoverTagger as _hanta

EMPTY, START, END, UNKNOWN, END_UNKNOWN = (_hanta.EMPTY, _hanta.START, _hanta.END, _hanta.UNKNOWN,
                                          _hanta.END_UNKNOWN)
LOWER_BOUND = -1e6
NO_FOLLOWERS: tuple = ()
LONGEST_WORD = 128  # morpheme lengths with a precomputed sum (longer ones count as 24 anyway)


class FastHanoverTagger(_hanta.HanoverTagger):
    def __init__(self, filename: str, word_cache: int = 50_000):
        super().__init__(filename)
        self.word_cache = word_cache
        # (word, case-sensitive?, capitalised?) -> tag probabilities, and as HanTa visits them
        self._emissions: dict[tuple[str, bool, bool], tuple[dict[int, float], list[tuple[int, float]]]] = {}
        # tags whose unseen morphemes get a guessed probability (open classes)
        self._guessable = frozenset(t for t in self.LP_m_t if t in self.LP_hapax_t and t in self.LP_s_t)
        self._morphemes: dict[str, list[tuple[int, float]]] | None = None
        self._beginnings: frozenset[str] = frozenset()
        self._heads: dict[int, list[float]] = {}
        self._reachable_followers: dict[tuple, list] = {}
        self._rank: dict[int, int] | None = None

    # ------------------------------------------------------------------ morphemes

    def _index(self) -> tuple[dict[str, list[tuple[int, float]]], frozenset[str]]:
        """Every known morpheme with its (tag, log p) pairs, and every beginning of one
        (built on the first unknown word: a search stops where no morpheme fits)."""
        if self._morphemes is None:
            morphemes: dict[str, list[tuple[int, float]]] = {}
            for tag, known in self.LP_m_t.items():
                for m, lp in known.items():
                    morphemes.setdefault(m, []).append((tag, lp))
            self._morphemes = morphemes
            self._beginnings = frozenset(m[:n] for m in morphemes for n in range(1, len(m) + 1))
        return self._morphemes, self._beginnings

    def _known_segments(self, word: str, i: int) -> dict[int, list[tuple[int, float]]]:
        """tag -> (end, log p(word[i:end] | tag)) for the known morphemes starting at ``i``."""
        morphemes, beginnings = self._index()
        found: dict[int, list[tuple[int, float]]] = {}
        for j in range(i + 1, len(word) + 1):
            m = word[i:j]
            if m not in beginnings:
                break
            for tag, lp in morphemes.get(m, ()):
                found.setdefault(tag, []).append((j, lp))
        return found

    def _suffix_probabilities(self, word: str, tag: int) -> list[float]:
        """log p(ending | tag) of a morpheme longer than 4 characters that ends at each end
        of ``word`` (HanTa's longest known ending of up to 4 characters; it does not
        depend on where the morpheme starts)."""
        LP_s = self.LP_s_t[tag]
        out = [0.0] * (len(word) + 1)
        for j in range(5, len(word) + 1):
            for n in (4, 3, 2, 1):
                lp = LP_s.get(word[j - n:j])
                if lp is not None:
                    break
            else:
                lp = LP_s['']
            out[j] = lp
        return out

    def _length_heads(self, tag: int) -> list[float]:
        """Int + hapax + length for each morpheme length (HanTa's sum, in its order; lengths
        from 24 on count as 24)."""
        found = self._heads.get(tag)
        if found is None:
            head = self.Int_t + self.LP_hapax_t[tag]
            found = self._heads[tag] = [head + self.LP_len_t[tag][min(n, 24)] for n in range(LONGEST_WORD + 1)]
        return found

    def _guessed_segments(self, word: str, i: int, tag: int, known: list | None, long_suffixes: list[float]):
        """(end, log p(word[i:end] | tag)) for an open-class tag, ascending: the known
        probability of a morpheme, else HanTa's guess from its length and ending (``lp_m_t``)."""
        wlen = len(word)
        known_ends = dict(known) if known else {}
        heads = self._length_heads(tag)
        LP_s = self.LP_s_t[tag]
        found = []
        for j in range(i + 1, wlen + 1):
            lp = known_ends.get(j)
            if lp is None:
                mlen = j - i
                if mlen > 4:
                    lp_suf = long_suffixes[j]
                elif not (wlen < 4 or mlen > 2):
                    continue
                else:
                    m = word[i:j]
                    if mlen > 3 and m[-3:] in LP_s:
                        lp_suf = LP_s[m[-3:]]
                    elif mlen > 2 and m[-2:] in LP_s:
                        lp_suf = LP_s[m[-2:]]
                    elif mlen > 1 and m[-1:] in LP_s:
                        lp_suf = LP_s[m[-1:]]
                    else:
                        lp_suf = LP_s['']
                lp = (heads[mlen] if mlen <= LONGEST_WORD else heads[LONGEST_WORD]) + lp_suf
                if wlen == mlen:
                    lp -= 4.6
            found.append((j, lp))
        return found

    def _morpheme_search(self, word: str, strict: bool, followers_of, backpointer: list | None):
        """The morpheme lattice of ``word`` up to its last character (HanTa's loops, in its
        order: per start, per kept state, per following tag, per end)."""
        wlen = len(word)
        table: list[dict] = [{(EMPTY, START): 0}] + [{} for _ in range(wlen + 1)]
        long_suffixes: dict[int, list[float]] = {}
        for i in range(wlen + 1):
            row = table[i]
            rowbound = sorted(row.values(), reverse=True)[3] - 1 if len(row) > 3 else LOWER_BOUND
            known = None
            guessed: dict[int, list] = {}
            for state, lp in row.items():
                if lp < rowbound:
                    continue
                for tag1, lpt in followers_of(state):
                    if known is None:
                        known = self._known_segments(word, i)
                    if not strict and tag1 in self._guessable:
                        ends = guessed.get(tag1)
                        if ends is None:
                            suffixes = long_suffixes.get(tag1)
                            if suffixes is None:
                                suffixes = long_suffixes[tag1] = self._suffix_probabilities(word, tag1)
                            ends = guessed[tag1] = self._guessed_segments(word, i, tag1, known.get(tag1), suffixes)
                    else:
                        ends = known.get(tag1)
                        if ends is None:
                            continue
                    base = lp + lpt
                    newstate = (state[1], tag1)
                    for j, lpm in ends:
                        lp1 = base + lpm
                        if lp1 > LOWER_BOUND:
                            cell = table[j]
                            old = cell.get(newstate)
                            if old is None or lp1 > old:
                                cell[newstate] = lp1
                                if backpointer is not None:
                                    backpointer[j][newstate] = (state, i)
        return table

    def analyze_forward(self, word):
        table = self._morpheme_search(word, self.strict, lambda s: self.LP_trans_nonfinal.get(s, NO_FOLLOWERS), None)
        last = table[-1]
        for state, lp in table[-2].items():
            for tag1, lpt in self.LP_trans_final.get(state, NO_FOLLOWERS):
                lp1 = lp + lpt
                if lp1 > LOWER_BOUND:
                    newstate = (state[1], tag1)
                    if newstate not in last or lp1 > last[newstate]:
                        last[newstate] = lp1
        results: dict = {}
        for state, lp in last.items():
            if lp == -math.inf:
                continue
            pos = -state[1]
            results[pos] = _hanta.logaddexp(results[pos], lp) if pos in results else lp
        result_list = sorted(results.items(), key=itemgetter(1), reverse=True)
        return result_list or [(UNKNOWN, 0)]

    def _followers_reaching(self, state, targetpos):
        key = (state, targetpos)
        followers = self._reachable_followers.get(key)
        if followers is None:
            reachable = self.reachability.get(targetpos, frozenset())
            followers = [(t, p) for (t, p) in self.LP_trans_nonfinal.get(state, NO_FOLLOWERS) if t in reachable]
            self._reachable_followers[key] = followers
        return followers

    def analyze_viterbi(self, word, targetpos):
        wlen = len(word)
        for localstrict in (True, False):
            backpointer: list[dict] = [{} for _ in range(wlen + 2)]
            table = self._morpheme_search(word, localstrict, lambda s: self._followers_reaching(s, targetpos), backpointer)
            last = table[-1]
            for state, lp in table[-2].items():
                for tag1, lpt in self.LP_trans_final.get(state, NO_FOLLOWERS):
                    if tag1 == targetpos:
                        lp1 = lp + lpt
                        if lp1 > LOWER_BOUND:
                            newstate = (state[1], tag1)
                            if newstate not in last or lp1 > last[newstate]:
                                last[newstate] = lp1
                                backpointer[-1][newstate] = (state, wlen)
                        break
            if last:
                break
        pmax = -math.inf
        beststate = (EMPTY, EMPTY)
        for state, lp in table[-1].items():
            if lp > pmax:
                pmax = lp
                beststate = state
        i = len(backpointer) - 1
        if beststate == (EMPTY, EMPTY):
            states = [((UNKNOWN, END_UNKNOWN), i), ((START, UNKNOWN), i - 1)]
        else:
            states = [(beststate, i)]
            state = beststate
            while i > 0:
                state, i = backpointer[i][state]
                states.append((state, i))
            states = states[:-1]
        return [(state[1], i) for (state, i) in states[::-1]]

    # ------------------------------------------------------------------ words and sentences

    def _tag_word(self, word, cutoff=5, casesensitive=True, conditional=False):
        if cutoff != 5 or not conditional:
            return super()._tag_word(word, cutoff, casesensitive, conditional)
        return list(self._word_emissions(word, casesensitive)[0].items())

    def _word_emissions(self, word: str, casesensitive: bool) -> tuple[dict[int, float], list[tuple[int, float]]]:
        """HanTa's conditional tag probabilities of a word in a sentence, computed once; also
        as (tag, log p) pairs in the order HanTa's sentence search visits tags."""
        upcase = casesensitive and word[0].isupper()
        normal = self.normalize(word)
        key = (normal, casesensitive, upcase)
        found = self._emissions.get(key)
        if found is not None:
            return found
        cached = normal in self.cache
        p_tags = self.cache[normal] if cached else self.analyze_forward(normal)
        p_w_tags = []
        for tag, p in p_tags:
            if tag != UNKNOWN:
                if casesensitive:
                    p += self.LP_case_t[tag][upcase]
                p -= self.LP_wtag[tag]
            p_w_tags.append((tag, p))
        p_w_tags.sort(key=itemgetter(1), reverse=True)
        if not cached and p_w_tags:
            limit = p_w_tags[0][1] - 5
            p_w_tags = [(tag, p) for (tag, p) in p_w_tags if p >= limit]
        probs = dict(p_w_tags)
        rank = self._tag_rank()
        ordered = sorted(((c, p) for c, p in probs.items() if c in rank and c != END), key=lambda cp: rank[cp[0]])
        found = (probs, ordered)
        if len(self._emissions) >= self.word_cache:
            self._emissions.clear()  # bounded memory on big corpora
        self._emissions[key] = found
        return found

    def _tag_rank(self) -> dict[int, int]:
        """One order of all tags that agrees with the order of the followers of every state,
        which is the order HanTa's sentence search visits them in (its model has one; a
        model without one would be refused here, not tagged differently)."""
        if self._rank is None:
            follows: dict[int, set[int]] = {}
            for followers in self.LP_trans_word.values():
                keys = list(followers)
                for a in keys:
                    follows.setdefault(a, set())
                for a, b in zip(keys, keys[1:]):
                    follows[a].add(b)
            indegree = {t: 0 for t in follows}
            for later in follows.values():
                for b in later:
                    indegree[b] += 1
            ready = sorted(t for t, n in indegree.items() if n == 0)
            rank: dict[int, int] = {}
            while ready:
                t = ready.pop(0)
                rank[t] = len(rank)
                for b in sorted(follows[t]):
                    indegree[b] -= 1
                    if indegree[b] == 0:
                        ready.append(b)
            if len(rank) != len(follows) or any(
                    [rank[c] for c in followers] != sorted(rank[c] for c in followers) for followers in self.LP_trans_word.values()):
                raise ValueError("HanTa model: the followers of its states are in no common order")
            self._rank = rank
        return self._rank

    def tag_sent_viterbi(self, sent, casesensitive=True):
        table: list[dict] = []
        backpointer: list[dict] = []
        for i, w in enumerate(sent):
            wprobs, ordered = self._word_emissions(w, casesensitive and i > 0)
            if len(wprobs) == 1 and UNKNOWN in wprobs:
                wprobs = {}
            row: dict = {}
            pointers: dict = {}
            backpointer.append(pointers)
            prevrow = {(EMPTY, START): 0.0} if i == 0 else table[i - 1]
            rowbound = sorted(prevrow.values(), reverse=True)[5] - 1 if len(prevrow) > 5 else LOWER_BOUND
            for state, lp0 in prevrow.items():
                if lp0 < rowbound:
                    continue
                lp_t = self.LP_trans_word[state]
                if wprobs:
                    steps = [(c, lp_t[c], lpwc) for c, lpwc in ordered if c in lp_t]
                else:  # a word HanTa cannot analyse may have any tag
                    steps = [(c, lp_tc, 0) for c, lp_tc in lp_t.items() if c != END]
                for c, lp_tc, lpwc in steps:
                    lp = lp0 + lp_tc + lpwc
                    if lp > LOWER_BOUND:
                        newstate = (state[1], c)
                        if newstate not in row or lp > row[newstate]:
                            row[newstate] = lp
                            pointers[newstate] = state
            table.append(row)
        finalstate = (END, EMPTY)
        row = {}
        backpointer.append({})
        for state, lp0 in table[-1].items():
            lp = lp0 + self.LP_trans_word[state].get(END, -math.inf)
            if lp > row.get(finalstate, -math.inf):
                row[finalstate] = lp
                backpointer[-1][finalstate] = state
        tags = []
        state = finalstate
        for i in range(len(backpointer) - 1, 0, -1):
            state = backpointer[i][state]
            tags.append(state[1])
        return tags[::-1]
