// Runs after the consumer build (see consumer-test/pom.xml): what its log must and must not say.
def log = new File(basedir, 'build.log').text
assert log.contains('Roan consumer: a committed insert purged /posts') : 'the consumer test did not see its purge'
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'the consumer tests did not all run and pass'
assert !log.contains('SLF4J') : 'SLF4J said something in the consumer build (a "NOP logger" warning?)'
// The runtime tree printed by maven-dependency-plugin: what Roan brings to a user.
assert log.contains('dev.roan:roan-jooq:jar:') : 'roan-jooq is not in the consumer tree'
['org.slf4j', 'jakarta.xml.bind', 'org.junit', 'org.jspecify', 'dev.roan:roan-test'].each { unwanted ->
    def line = log.readLines().find { it.contains('[INFO] ') && it =~ /[+\\]- / && it.contains(unwanted) && !it.contains('org.junit.jupiter:junit-jupiter:jar') && !it.contains(':test') }
    assert line == null : "Roan brings ${unwanted} to a consumer at runtime: ${line}"
}
true
