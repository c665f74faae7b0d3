// Runs after the consumer build (see consumer-test/pom.xml): a Boot 3.5 application with the Boot 3 starter.
def log = new File(basedir, 'build.log').text
assert log.contains('Roan consumer: the Boot 3 application purged /posts') : 'the Boot 3 consumer test did not see its purge'
assert log.contains('Tests run: 1, Failures: 0, Errors: 0, Skipped: 0') : 'the Boot 3 consumer test did not run and pass'
def debug = log.readLines().find { it.contains('DEBUG') && it.contains('dev.roan.jooq.Roan') && it.contains('Purged /posts on http://127.0.0.1:') }
assert debug != null : "logging.level.dev.roan=DEBUG alone did not show the purge's DEBUG line in Boot 3's log"
// The runtime tree printed by maven-dependency-plugin: the starter must not pull Spring Framework 7 or Boot 4 into a
// Boot 3.5 application, nor SLF4J 1.x (Resilience4j's).
def tree = log.readLines().findAll { it.startsWith('[INFO] ') && it =~ /[+\\]- / }
assert tree.any { it.contains('dev.roan:roan-spring-boot3-starter:jar:') } : 'the Boot 3 starter is not in the tree'
['org.springframework:spring-core:jar:7.', 'org.springframework.boot:spring-boot:jar:4.', 'org.slf4j:slf4j-api:jar:1.',
 'slf4j-jdk-platform-logging'].each { unwanted ->
    def line = tree.find { it.contains(unwanted) }
    assert line == null : "a Boot 3.5 application with the starter gets ${unwanted}: ${line}"
}
true
