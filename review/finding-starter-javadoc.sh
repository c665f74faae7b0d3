#!/usr/bin/env bash
# Review of issue 15, finding 6: ./mvnw verify (CI's first step) and .ci/check-reproducible fail at
# roan-spring-boot-starter's javadoc jar. The root pom's maven-javadoc-plugin reads only
# ${project.build.sourceDirectory} (src/main/java), while the starter's RoanProperties, RoanCustomizer,
# RoanConfigurationAttacher... live in src/shared/java (added as a source root by build-helper), so javadoc cannot
# resolve the symbols that src/main/java uses. Exits non-zero when the javadoc jar fails.
# Run from the repository root: review/finding-starter-javadoc.sh   (about two minutes: package, no tests)
set -uo pipefail
cd "$(dirname "$0")/.."
out=$(./mvnw -B -ntp -o -pl roan-spring-boot-starter -am package -Dmaven.test.skip=true 2>&1)
if grep -q 'attach-javadocs) on project roan-spring-boot-starter' <<<"$out"; then
  grep -E 'error: cannot find symbol|symbol: +class' <<<"$out" | sort -u
  echo "FAILS: roan-spring-boot-starter's javadoc jar cannot see src/shared/java"
  exit 1
fi
grep -q 'BUILD FAILURE' <<<"$out" && { echo "the build failed otherwise:"; tail -20 <<<"$out"; exit 2; }
echo "roan-spring-boot-starter's javadoc jar builds"
