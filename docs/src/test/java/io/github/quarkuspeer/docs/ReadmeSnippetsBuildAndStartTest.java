package io.github.quarkuspeer.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.FileObject;
import javax.tools.ForwardingJavaFileManager;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import javax.xml.parsers.DocumentBuilderFactory;

import jakarta.inject.Inject;
import jakarta.inject.Named;

import org.jboss.shrinkwrap.api.asset.ByteArrayAsset;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import io.github.quarkuspeer.Peer;
import io.quarkus.arc.Arc;
import io.quarkus.test.QuarkusUnitTest;

/**
 * The README's snippets, as pasted: its Java class compiles, its properties are valid and, with its dependencies,
 * make an application that builds and starts and whose instances elect. Only where to connect differs: the
 * machine's own PostgreSQL, and a lease table of the test's own.
 */
class ReadmeSnippetsBuildAndStartTest {

    /** The extensions this module's tests give the application: the README's dependencies must be among them. */
    static final Set<String> PROVIDED = Set.of("io.github.quarkuspeer:quarkus-peer",
            "io.quarkus:quarkus-jdbc-postgresql", "io.quarkus:quarkus-smallrye-health");

    static final Map<String, byte[]> CLASSES = compile(Readme.snippet("java"));

    @RegisterExtension
    static final QuarkusUnitTest app = new QuarkusUnitTest()
            .withApplicationRoot(jar -> {
                jar.addClass(Readme.class);
                CLASSES.forEach((name, bytes) -> jar.add(new ByteArrayAsset(bytes),
                        name.replace('.', '/') + ".class"));
                jar.addAsResource(new StringAsset(Readme.snippet("properties")), "application.properties");
            })
            .overrideConfigKey("quarkus.devservices.enabled", "false")
            .overrideConfigKey("quarkus.datasource.jdbc.url",
                    System.getProperty("peer.test.pg.url", "jdbc:postgresql://127.0.0.1:5432/test"))
            .overrideConfigKey("quarkus.datasource.username", System.getProperty("peer.test.pg.user", "postgres"))
            .overrideConfigKey("quarkus.peer.table", "peers_readme");

    @Inject
    Peer peer;

    @Inject
    @Named("billing")
    Peer billing;

    @Test
    void theApplicationStartsAndItsInstancesElect() throws Exception {
        await().atMost(Duration.ofSeconds(30)).until(() -> peer.isLeader() && billing.isLeader());
        Class<?> housekeeping = Thread.currentThread().getContextClassLoader().loadClass("org.acme.Housekeeping");
        assertThat(Arc.container().instance(housekeeping).isAvailable()).as("the README's bean").isTrue();
    }

    @Test
    void thePropertiesAreValidAsPasted() throws IOException {
        Properties properties = new Properties();
        properties.load(new StringReader(Readme.snippet("properties")));
        // a value cannot carry a trailing comment: it would become part of the value
        properties.forEach((key, value) -> assertThat(value.toString()).as(key.toString()).doesNotContain("#"));
        assertThat(properties).containsEntry("quarkus.peer.interval", "10s");
    }

    @Test
    void theDependenciesAreTheApplicationsExtensions() throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new InputSource(new StringReader("<dependencies>" + Readme.snippet("xml")
                        + "</dependencies>")))
                .getDocumentElement();
        NodeList dependencies = root.getElementsByTagName("dependency");
        List<String> artifacts = new ArrayList<>();
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            artifacts.add(dependency.getElementsByTagName("groupId").item(0).getTextContent() + ":"
                    + dependency.getElementsByTagName("artifactId").item(0).getTextContent());
        }
        assertThat(artifacts).isNotEmpty().allSatisfy(artifact -> assertThat(PROVIDED).contains(artifact));
    }

    /** Compiles a source file against this test's class path; fails with the compiler's messages. */
    static Map<String, byte[]> compile(String source) {
        Matcher pkg = Pattern.compile("(?m)^package ([\\w.]+);").matcher(source);
        Matcher type = Pattern.compile("(?m)^public class (\\w+)").matcher(source);
        if (!pkg.find() || !type.find()) {
            throw new IllegalStateException("The README's Java snippet has no package or public class");
        }
        String name = pkg.group(1) + "." + type.group(1);
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Map<String, ByteArrayOutputStream> output = new HashMap<>();
        StandardJavaFileManager standard = compiler.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8);
        JavaFileManager files = new ForwardingJavaFileManager<>(standard) {
            @Override
            public JavaFileObject getJavaFileForOutput(Location location, String className, JavaFileObject.Kind kind,
                    FileObject sibling) {
                return new SimpleJavaFileObject(URI.create("bytes:///" + className.replace('.', '/')
                        + kind.extension), kind) {
                    @Override
                    public OutputStream openOutputStream() {
                        return output.computeIfAbsent(className, c -> new ByteArrayOutputStream());
                    }
                };
            }
        };
        JavaFileObject file = new SimpleJavaFileObject(URI.create("string:///" + name.replace('.', '/') + ".java"),
                JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return source;
            }
        };
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        boolean compiled = compiler.getTask(null, files, diagnostics,
                List.of("-classpath", classPath, "-proc:none", "-parameters"), null, List.of(file)).call();
        if (!compiled) {
            StringBuilder messages = new StringBuilder("The README's Java snippet does not compile:");
            for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
                messages.append("\n  line ").append(d.getLineNumber()).append(": ").append(d.getMessage(null));
            }
            throw new IllegalStateException(messages.toString());
        }
        try {
            files.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, byte[]> classes = new HashMap<>();
        output.forEach((className, bytes) -> classes.put(className, bytes.toByteArray()));
        return classes;
    }
}
