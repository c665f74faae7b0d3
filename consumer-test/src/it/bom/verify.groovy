// Runs after the consumer build (see consumer-test/pom.xml): what its log must and must not say.
def log = new File(basedir, 'build.log').text
assert log.contains('Roan consumer: a committed insert purged /posts') : 'the consumer test did not see its purge'
assert log.contains('Tests run: 2, Failures: 0, Errors: 0, Skipped: 0') : 'the consumer tests did not all run and pass'
assert log.readLines().any { it.startsWith('FINE: Purged /posts on http://127.0.0.1:') } :
        "README's logging.properties did not show the purge's DEBUG (FINE) line"
assert !log.contains('SLF4J') : 'SLF4J said something in the consumer build (a "NOP logger" warning?)'
// The runtime tree printed by maven-dependency-plugin (no test scope): what Roan brings to a user.
assert log.contains('dev.roan:roan-jooq:jar:') : 'roan-jooq is not in the consumer tree'
['org.slf4j', 'jakarta.xml.bind', 'org.junit', 'org.jspecify', 'dev.roan:roan-test'].each { unwanted ->
    def line = log.readLines().find { it.contains('[INFO] ') && it =~ /[+\\]- / && it.contains(unwanted) }
    assert line == null : "Roan brings ${unwanted} to a consumer at runtime: ${line}"
}
// roan-bom pins every published module of this repository (root: set by consumer-test/pom.xml), at its version, and
// every published module is Central-ready. Published: a module of the default build without maven.deploy.skip.
def slurp = { File f -> new groovy.xml.XmlSlurper().parse(f) }
def rootPom = slurp(new File(root, 'pom.xml'))
def bom = slurp(new File(root, 'roan-bom/pom.xml'))
assert bom.version.text() == rootPom.version.text() : "roan-bom's version ${bom.version} is not the build's ${rootPom.version}"
assert bom.parent.isEmpty() : 'roan-bom must have no parent: an import would bring the parent\'s dependencyManagement'
def pinned = bom.dependencyManagement.dependencies.dependency.collect { it.artifactId.text() } as Set
def published = rootPom.modules.module.collect { it.text() }.findResults { dir ->
    def pom = slurp(new File(root, "${dir}/pom.xml"))
    def id = pom.artifactId.text()
    if (pom.properties.'maven.deploy.skip'.text() == 'true' || id == 'roan-bom') {
        return null
    }
    def plugins = pom.build.plugins.plugin.collect { it.artifactId.text() }
    ['maven-source-plugin', 'maven-javadoc-plugin', 'maven-antrun-plugin'].each {
        assert plugins.contains(it) : "${dir}/pom.xml is published (no maven.deploy.skip) but declares no ${it}: see the root pom's pluginManagement"
    }
    assert !pom.properties.'roan.module-name'.text().isEmpty() : "${dir}/pom.xml is published but sets no roan.module-name (Automatic-Module-Name)"
    return id
} as Set
assert pinned == published : "roan-bom pins ${pinned.sort()}, the published modules are ${published.sort()}: keep roan-bom/pom.xml in step"
true
