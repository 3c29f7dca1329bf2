"""Check the built collection tarball as a Galaxy user gets it.

Usage: check_package.py TARBALL

Fails when the tarball has an empty folder, lacks the licence text (COPYING or LICENSE) or a
CHANGELOG with a section for its version, when the repository has changelog fragments not folded
into a release of that version, or when a shipped document sends its reader to something the
tarball leaves out: a relative link to a missing file, or a mention of a build_ignore path of
galaxy.yml, a `make` target or the lab's `mfplab` command in a section that does not give the
source repository's URL. A section is a markdown file's text between two headings (code blocks
included), else a paragraph (text between blank lines); Python files count where they hold
plugin docs.
"""

from __future__ import annotations

import json
import pathlib
import re
import sys
import tarfile
import tempfile

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENTS = ('.md', '.rst', '.txt', '.yml', '.yaml', '.j2', '.py')
MAKE_TARGETS = re.compile(r'\bmake (?:demo|test|venv|bench|clean)\b')
MFPLAB = re.compile(r'\bmfplab\b')
HEADING = re.compile(r'#{1,6} ')
FENCE = re.compile(r'\s*(```|~~~)')
LINK = re.compile(r'\]\(([^)\s]+)\)')


def left_out_patterns(build_ignore: list[str]) -> list[re.Pattern[str]]:
    """A pattern for each path galaxy.yml keeps out of the tarball (globs are not paths)."""
    patterns = [MAKE_TARGETS, MFPLAB]
    for entry in build_ignore:
        if any(char in entry for char in '*?['):
            continue
        # A folder is mentioned as 'lab/...', not as the word 'lab'; a dot-name needs no slash.
        tail = '/' if (ROOT / entry).is_dir() and not entry.startswith('.') else r'(?![\w-])'
        patterns.append(re.compile(r'(?<![\w./-])' + re.escape(entry) + tail))
    return patterns


def sections(path: pathlib.Path, text: str) -> list[tuple[int, str]]:
    """(first line number, text) of each section of a shipped document."""
    lines = text.splitlines()
    starts = [0]
    if path.suffix == '.md':
        in_code = False
        for number, line in enumerate(lines):
            if FENCE.match(line):
                in_code = not in_code
            elif not in_code and HEADING.match(line) and number:
                starts.append(number)
    else:
        starts += [n for n in range(1, len(lines)) if not lines[n - 1].strip() and lines[n].strip()]
    ends = starts[1:] + [len(lines)]
    return [(start + 1, '\n'.join(lines[start:end])) for start, end in zip(starts, ends)]


def check_documents(tree: pathlib.Path, repository: str, patterns: list[re.Pattern[str]]) -> list[str]:
    problems = []
    for path in sorted(p for p in tree.rglob('*') if p.is_file() and p.suffix in DOCUMENTS):
        name = path.relative_to(tree)
        text = path.read_text(encoding='utf-8')
        # Python files are documents where they hold plugin docs; other comments are for developers.
        if name.parts[0] == 'changelogs' or (path.suffix == '.py' and 'DOCUMENTATION' not in text):
            continue
        for first_line, section in sections(path, text):
            if repository in section:
                continue
            for offset, line in enumerate(section.splitlines()):
                for pattern in patterns:
                    found = pattern.search(line)
                    if found:
                        problems.append(
                            f'{name}:{first_line + offset}: mentions {found.group(0)!r}, which the'
                            f' tarball leaves out, in a section without the source repository'
                            f' ({repository})')
        if path.suffix == '.md':
            for target in LINK.findall(text):
                if re.match(r'[a-z]+:|#', target):
                    continue
                if not (path.parent / target.split('#')[0]).exists():
                    problems.append(f'{name}: links to {target}, which the tarball does not hold')
    return problems


def check(tree: pathlib.Path, members: list[tarfile.TarInfo]) -> list[str]:
    problems = []
    names = {m.name.rstrip('/') for m in members}
    for member in members:
        if member.isdir() and not any(n.startswith(member.name.rstrip('/') + '/') for n in names):
            problems.append(f'{member.name}: an empty folder')
    manifest = json.loads((tree / 'MANIFEST.json').read_text())['collection_info']
    licence = next((tree / n for n in ('COPYING', 'LICENSE') if (tree / n).is_file()), None)
    if licence is None:
        problems.append('no COPYING or LICENSE file')
    elif not all(s in licence.read_text() for s in (
            'GNU GENERAL PUBLIC LICENSE', 'Version 3, 29 June 2007', 'END OF TERMS AND CONDITIONS')):
        problems.append(f'{licence.name} is not the full GNU GPL version 3 text')
    changelog = next((tree / n for n in ('CHANGELOG.md', 'CHANGELOG.rst') if (tree / n).is_file()), None)
    if changelog is None:
        problems.append('no CHANGELOG.md or CHANGELOG.rst')
    elif f'v{manifest["version"]}' not in changelog.read_text():
        problems.append(f'{changelog.name} has no section for v{manifest["version"]}')
    fragments = sorted(p.name for p in (ROOT / 'changelogs' / 'fragments').glob('*.y*ml'))
    if changelog is not None and fragments:
        problems.append(f'changelogs/fragments/ holds {", ".join(fragments)}, not in the release'
                        f' v{manifest["version"]}: fold them in (antsibull-changelog release --version'
                        f' {manifest["version"]} --update-existing) or raise the version in galaxy.yml')
    galaxy = yaml.safe_load((ROOT / 'galaxy.yml').read_text())
    problems += check_documents(tree, manifest['repository'], left_out_patterns(galaxy['build_ignore']))
    return problems


def main(tarball: str) -> int:
    with tempfile.TemporaryDirectory() as tree, tarfile.open(tarball) as archive:
        archive.extractall(tree, filter='data')
        problems = check(pathlib.Path(tree), archive.getmembers())
    for problem in problems:
        print(problem)
    print(f'{tarball}: {len(problems)} problem(s)')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main(*sys.argv[1:]))
