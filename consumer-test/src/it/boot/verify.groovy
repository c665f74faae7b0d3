// Runs after the consumer build (see consumer-test/pom.xml): logging.level.dev.roan=DEBUG shows each purge in Boot's log.
def log = new File(basedir, 'build.log').text
assert log.contains('Roan consumer: the Boot application purged /posts') : 'the Boot consumer test did not see its purge'
def debug = log.readLines().find { it.contains('DEBUG') && it.contains('dev.roan.jooq.Roan') && it.contains('Purged /posts on http://127.0.0.1:') }
assert debug != null : "no DEBUG line of the logger dev.roan.jooq.Roan for the purge of /posts in Boot's log"
// Boot brings SLF4J 2; Roan must not bring 1.7 (through Resilience4j).
assert !log.contains('org.slf4j:slf4j-api:jar:1.') : 'Roan brings SLF4J 1.x to a Boot application'
// The Boot property alone: the application routes no logging itself (README "Logging").
assert !log.contains('slf4j-jdk-platform-logging') : 'the Boot consumer must show the DEBUG line without slf4j-jdk-platform-logging'
true
