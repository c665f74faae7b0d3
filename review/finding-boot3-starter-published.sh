#!/usr/bin/env bash
# Review of issue 15, finding 5: is dev.roan:roan-spring-boot3-starter published like the other starters?
# Checks what a user of Boot 3.5 would rely on: the BOM pins it, it has -sources and -javadoc jars (Central needs
# both), .ci/check-reproducible builds it, README "Getting Roan" lists it, consumer-test installs it.
# Exits non-zero naming each gap. Run from the repository root: review/finding-boot3-starter-published.sh
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
gap() { echo "GAP: $*"; status=1; }

# Every jar module that names an Automatic-Module-Name and is not a compat/test module is published.
for module in roan-jooq roan-spring roan-spring-boot-starter roan-spring-boot3-starter roan-test; do
  grep -q "<artifactId>$module</artifactId>" roan-bom/pom.xml || gap "roan-bom/pom.xml does not pin $module"
  grep -q '<artifactId>maven-source-plugin</artifactId>' "$module/pom.xml" \
    || gap "$module/pom.xml attaches no -sources/-javadoc jar (maven-source-plugin, maven-javadoc-plugin), so .ci/check-reproducible skips it too"
  grep -q "\`dev.roan:$module\`" README.md || gap "README does not name dev.roan:$module anywhere"
  sed -n '/^## Getting Roan/,/^## This repository/p' README.md | grep -q "\`dev.roan:$module\`" \
    || gap "README \"Getting Roan\" artifact table does not list dev.roan:$module"
  grep -q "<artifactId>$module</artifactId>" consumer-test/pom.xml || gap "consumer-test/pom.xml does not install $module into its it-repo"
done
if [ "${BUILD:-0}" = 1 ]; then
  ./mvnw -B -q -o -pl roan-spring-boot3-starter -am package -DskipTests >/dev/null 2>&1 || echo "(package failed)"
  ls roan-spring-boot3-starter/target/*.jar
  ls roan-spring-boot3-starter/target/*-sources.jar >/dev/null 2>&1 || gap "the build made no roan-spring-boot3-starter-*-sources.jar"
fi
[ "$status" = 0 ] && echo "every published artifact is pinned, documented and built with sources and javadoc"
exit $status
