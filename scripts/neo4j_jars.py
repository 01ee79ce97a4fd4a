"""Make the list of jars that ``cobuild-graph neo4j start`` downloads from Maven Central.

The disposable server (:mod:`cobuild_graph.server`) runs Neo4j Community from the jars of
``org.neo4j:neo4j`` and its runtime dependencies. Resolving them needs Maven, which a
researcher does not have; so Maven resolves them once, here, and the package ships the
result: ``cobuild_graph/_static/neo4j-jars.txt``, one jar a line with its SHA-256 and size.
Maven checks every jar against Central's ``.sha1`` (``--strict-checksums``) and this
script checks them again before it hashes them. To make the list again (for a new 5.26.x)::

    python3 scripts/neo4j_jars.py 5.26.30
"""

from __future__ import annotations

import argparse
import hashlib
import re
import subprocess
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "cobuild_graph/_static/neo4j-jars.txt"
PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"
POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.cobuild-graph</groupId><artifactId>neo4j-jars</artifactId><version>0</version>
  <packaging>pom</packaging>
  <dependencies><dependency>
    <groupId>org.neo4j</groupId><artifactId>neo4j</artifactId><version>{version}</version>
  </dependency></dependencies>
</project>
"""
# group:artifact:jar[:classifier]:version:scope:path -- module ...
RESOLVED = re.compile(r"^\s+([^:\s]+):([^:]+):jar:(?:([^:]+):)?([^:]+):(?:compile|runtime):(\S+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="a Neo4j 5.26.x release, e.g. 5.26.30")
    version = parser.parse_args().version
    with tempfile.TemporaryDirectory() as work:
        pom = Path(work, "pom.xml")
        pom.write_text(POM.format(version=version))
        listing = Path(work, "resolved.txt")
        subprocess.run(
            [
                *("mvn", "-B", "-q", "--strict-checksums", "-f", str(pom)),
                *(f"-Dmaven.repo.local={work}/m2", f"{PLUGIN}:list", "-DincludeScope=runtime"),
                *(f"-DoutputFile={listing}", "-DoutputAbsoluteArtifactFilename=true"),
            ],
            check=True,
        )
        lines = []
        for match in map(RESOLVED.match, listing.read_text().splitlines()):
            if not match:
                continue
            group, artifact, classifier, jar_version, path = match.groups()
            data = Path(path).read_bytes()
            published = Path(path + ".sha1").read_text().split()[0]
            if hashlib.sha1(data).hexdigest() != published:  # Central publishes SHA-1
                raise SystemExit(f"{path}: does not match Maven Central's .sha1")
            coordinate = f"{group}:{artifact}:{jar_version}" + (
                f":{classifier}" if classifier else ""
            )
            lines.append(f"{coordinate} {hashlib.sha256(data).hexdigest()} {len(data)}")
    header = (
        f"# org.neo4j:neo4j:{version} and its runtime dependencies on Maven Central\n"
        "# (group:artifact:version[:classifier] sha256 bytes), made by scripts/neo4j_jars.py\n"
    )
    OUT.write_text(header + "\n".join(sorted(lines)) + "\n")
    print(f"wrote {OUT}: {len(lines)} jars")


if __name__ == "__main__":
    main()
