"""An npm package, fetched once with ``npm pack`` and unpacked into a cache folder.

The offline decks copy MathJax from it, and the browser tests serve the site's CDN MathJax from it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".venv" / "share" / "slides-npm"  # kept with the virtual environment (make clean keeps it)


def npm_package(name: str, version: str, cache: Path = CACHE) -> Path | None:
    """npm package ``name@version`` unpacked in ``cache/<name>@<version>/`` (``npm pack`` once; later calls reuse it).

    Returns the folder, or None where npm is missing or fails (no network to the registry).
    """
    dest = Path(cache) / f"{name}@{version}"
    if (dest / ".complete").exists():
        return dest
    npm = shutil.which("npm")
    if npm is None:
        print(f"npm not found: cannot fetch {name}@{version}", file=sys.stderr)
        return None
    tgz = Path(cache) / "tgz"
    tgz.mkdir(parents=True, exist_ok=True)
    r = subprocess.run([npm, "pack", "--silent", f"{name}@{version}", "--pack-destination", str(tgz)],
                       capture_output=True, text=True)
    if r.returncode != 0 or not r.stdout.strip():
        print(f"npm pack {name}@{version} failed: {r.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    archive = tgz / r.stdout.strip().splitlines()[-1]
    shutil.rmtree(dest, ignore_errors=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():  # npm tarballs hold everything under package/
            if member.name.startswith("package/") and (member.isfile() or member.isdir()):
                member.name = member.name[len("package/"):]
                if member.name and ".." not in Path(member.name).parts:
                    tar.extract(member, dest)
    archive.unlink()
    (dest / ".complete").touch()
    return dest
