"""The wheel: a non-editable install ships every package, the templates and the static files, and serves pages.

Regression: `pip install .` (not editable) shipped no templates/, so every page answered 500.
"""
import shutil
import subprocess
import sys
import zipfile

from tests.conftest import ROOT

SERVE = """
import sys
import search_app
from search_app.web import create_app
assert search_app.__file__.startswith(sys.argv[1]), search_app.__file__     # the installed copy, not the checkout
client = create_app({"INDEX_DIR": sys.argv[2]}).test_client()
for path in ("/", "/?q=监督", "/trends?q=监督", "/static/style.css", "/static/app.js"):
    print(path, client.get(path).status_code)
"""


def packages_in_the_checkout() -> set[str]:
    return {p.parent.relative_to(ROOT).as_posix() for top in ("indexer", "search_app")
            for p in (ROOT / top).rglob("__init__.py")}


def test_the_wheel_installs_and_serves_pages(tmp_path, index_dir):
    # built from a copy of what the package is made of, so that no build/ left in the checkout can add to it
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src)
    for name in ("indexer", "search_app", "templates"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(dist), str(src)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = dist.glob("lrsearch-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"{p}/__init__.py" for p in packages_in_the_checkout()} <= names
    assert {"search_app/templates/base.html", "search_app/templates/search.html", "search_app/static/style.css",
            "indexer/index/data/legislature_terms.txt"} <= names
    assert not any(n.startswith("tests/") for n in names)
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site),
                    str(wheel)], check=True, capture_output=True)
    run = subprocess.run([sys.executable, "-c", SERVE, str(site), str(index_dir)], capture_output=True, text=True,
                         cwd=tmp_path, env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["/", "200", "/?q=监督", "200", "/trends?q=监督", "200",
                                  "/static/style.css", "200", "/static/app.js", "200"]
