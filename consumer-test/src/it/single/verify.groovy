// Runs after the consumer build (see consumer-test/pom.xml).
def log = new File(basedir, 'build.log').text
assert new File(basedir, 'target/classes/com/example/Blog.class').isFile() : 'the consumer did not compile against roan-jooq'
assert !log.contains('SLF4J') : 'SLF4J said something in the consumer build'
true
