#!/usr/bin/env python3
"""Vendor Polaris' design tokens (`@shopify/polaris-tokens`, dist/css/styles.css) under static/vendor/.

The local fallback stylesheet (static/css/orderguard.css) is written against these `--p-*` custom
properties, so the page matches Shopify admin when Shopify's CDN cannot load. Run with a version to pin
one, or without to take the latest:

    python scripts/update_polaris_tokens.py [9.4.2]

It uses the npm client (`npm pack`) and replaces styles.css, LICENSE.md and README.md in one go.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@shopify/polaris-tokens"
TARGET = Path(__file__).resolve().parent.parent / "static" / "vendor" / "polaris-tokens"
# Inside the npm tarball -> name under TARGET.
FILES = {"package/dist/css/styles.css": "styles.css", "package/LICENSE.md": "LICENSE.md"}


def packed(*, version: str, workdir: Path) -> tuple[dict, Path]:
    """`npm pack` the package into workdir; returns npm's description of it and the tarball."""
    result = subprocess.run(["npm", "pack", "--json", f"{PACKAGE}@{version}"], cwd=workdir, check=True,
                            capture_output=True, text=True)
    info = json.loads(result.stdout)[0]
    return info, workdir / info["filename"]


def readme(info: dict) -> str:
    return (
        f"Polaris design tokens: `{PACKAGE}` {info['version']}, files `dist/css/styles.css` and `LICENSE.md`\n"
        f"from the npm registry (`npm pack {PACKAGE}@{info['version']}`, integrity {info['integrity']}).\n"
        "Licence: LICENSE.md (Shopify's MIT variant: for apps that integrate with Shopify).\n"
        "Do not edit; update with `python scripts/update_polaris_tokens.py [version]`.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", nargs="?", default="latest", help="npm version or tag (default: latest)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        info, tarball = packed(version=args.version, workdir=workdir)
        with tarfile.open(tarball) as archive:
            archive.extractall(workdir, members=[archive.getmember(name) for name in FILES], filter="data")
        TARGET.mkdir(parents=True, exist_ok=True)
        for source, name in FILES.items():
            shutil.copyfile(workdir / source, TARGET / name)
        (TARGET / "README.md").write_text(readme(info))
    print(f"Vendored {PACKAGE} {info['version']} into {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
