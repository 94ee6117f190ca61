#!/usr/bin/python3
"""The `i18n` test: every text marked for translation has its Kazakh and Russian forms (SPEC §10).

Extracts the marked texts (tr, tr_in, trc, trf, trn, N_) from the product's sources with gettext's
xgettext, merges each language's catalogues (po/*.LANG.po) with msgcat as the build does, and
fails when a text has no translation, two areas translate one text differently, a translation is fuzzy or empty, a plural lacks a form, or a
translation's {} placeholders differ in number from the English. Catalogue entries no source uses
any more are listed as a warning. Run from anywhere: it checks the checkout it lives in.
"""
import glob
import os
import re
import subprocess
import sys
import tempfile

try:
    import polib
except ImportError:
    sys.exit("check_i18n: needs python3-polib (scripts/deps.sh installs it)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE_DIRS = ["storage", "util", "records", "sync", "agent", "hub", "cli"]
LANGS = ["kk", "ru"]
KEYWORDS = ["tr", "tr_in:2", "trc:1c,2", "trf", "trn:1,2", "N_"]
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def placeholders(text):
    return len(PLACEHOLDER.findall(text.replace("{{", "").replace("}}", "")))


def extract(tmp):
    sources = sorted(f for d in SOURCE_DIRS for ext in ("cpp", "h")
                     for f in glob.glob(os.path.join(ROOT, d, "**", "*." + ext), recursive=True))
    pot = os.path.join(tmp, "epsync.pot")
    cmd = ["xgettext", "--language=C++", "--from-code=UTF-8", "--no-wrap", "-o", pot]
    cmd += ["--keyword=" + k for k in KEYWORDS] + sources
    subprocess.run(cmd, check=True)
    return polib.pofile(pot) if os.path.exists(pot) else []


def merged(tmp, lang):
    files = sorted(glob.glob(os.path.join(ROOT, "po", "*." + lang + ".po")))
    out = os.path.join(tmp, lang + ".po")
    subprocess.run(["msgcat", "--use-first", "--no-wrap", "-o", out] + files, check=True)
    return polib.pofile(out)


def disagreements(lang):
    """The same text translated two ways in two areas' catalogues: the build keeps only the first."""
    seen, problems = {}, []
    for path in sorted(glob.glob(os.path.join(ROOT, "po", "*." + lang + ".po"))):
        for e in polib.pofile(path):
            if not e.msgid or e.obsolete:
                continue
            forms = tuple(e.msgstr_plural.values()) if e.msgid_plural else (e.msgstr,)
            key = (e.msgctxt, e.msgid)
            if key in seen and seen[key][0] != forms:
                problems.append(f"{lang}: {e.msgid!r} is {seen[key][0]!r} in {seen[key][1]} but "
                                f"{forms!r} in {os.path.basename(path)}; keep one")
            seen.setdefault(key, (forms, os.path.basename(path)))
    return problems


def problems_for(lang, wanted, catalogue):
    found = {(e.msgctxt, e.msgid): e for e in catalogue if not e.obsolete}
    problems = []
    for w in wanted:
        where = w.occurrences[0][0].replace(ROOT + "/", "") if w.occurrences else "?"
        e = found.get((w.msgctxt, w.msgid))
        if e is None:
            problems.append(f"{lang}: no translation for {w.msgid!r} ({where})")
            continue
        forms = list(e.msgstr_plural.values()) if w.msgid_plural else [e.msgstr]
        if "fuzzy" in e.flags or not forms or any(not f for f in forms):
            problems.append(f"{lang}: missing or fuzzy translation for {w.msgid!r} ({where})")
            continue
        expected = placeholders(w.msgid)
        for f in forms:
            if placeholders(f) != expected:
                problems.append(f"{lang}: {w.msgid!r} has {expected} placeholders, its translation "
                                f"{f!r} has {placeholders(f)}")
    used = {(w.msgctxt, w.msgid) for w in wanted}
    unused = [k[1] for k in found if k[1] and k not in used]
    return problems, unused


def main():
    with tempfile.TemporaryDirectory() as tmp:
        wanted = extract(tmp)
        problems = []
        for lang in LANGS:
            p, unused = problems_for(lang, wanted, merged(tmp, lang))
            problems += p + disagreements(lang)
            for u in unused:
                print(f"warning: {lang}: catalogue entry no source uses: {u!r}")
    for p in problems:
        print(p)
    print(f"{len(wanted)} marked texts, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
