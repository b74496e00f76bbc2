package dev.cafstate.deploy;

import java.beans.BeanInfo;
import java.beans.Introspector;
import java.beans.PropertyDescriptor;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import com.marcnuri.helm.Helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/** Renders the chart through Helm's own library and reads manifests strictly into fabric8 model classes. */
final class Manifests {

    static final Path CHART = Path.of("helm", "caf-state");
    static final Path KUSTOMIZE_BASE = Path.of("k8s", "base");
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Manifests() {}

    /** {@code helm template caf-state helm/caf-state -n caf-system [-f values]}. */
    static String render(Path valuesFile) {
        var template = new Helm(CHART).template().withName("caf-state").withNamespace("caf-system");
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        return template.call();
    }

    /** Every document of a multi-document YAML stream, each a typed model object. */
    static List<HasMetadata> parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(l -> l.isBlank() || l.trim().startsWith("#"))) {
                continue;
            }
            objects.add(SERIALIZATION.unmarshal(doc, HasMetadata.class));
        }
        return objects;
    }

    /** The kustomize base, file by file as listed in its kustomization.yaml. */
    static List<HasMetadata> kustomizeBase() throws Exception {
        Map<?, ?> kustomization =
                SERIALIZATION.unmarshal(Files.readString(KUSTOMIZE_BASE.resolve("kustomization.yaml")), Map.class);
        List<HasMetadata> objects = new ArrayList<>();
        for (Object file : (List<?>) kustomization.get("resources")) {
            objects.addAll(parse(Files.readString(KUSTOMIZE_BASE.resolve(file.toString()))));
        }
        return objects;
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> found =
                objects.stream().filter(type::isInstance).map(type::cast).toList();
        if (found.size() != 1) {
            throw new AssertionError("expected one " + type.getSimpleName() + ", found " + found.size());
        }
        return found.get(0);
    }

    /**
     * Fields the model did not recognise end up in {@code additionalProperties}: a typo such as
     * {@code readOnlyRootFileSystem} would be silently ignored by a lenient reader. Lists every such field.
     */
    static List<String> unknownFields(Object root) {
        List<String> unknown = new ArrayList<>();
        walk(root, root.getClass().getSimpleName(), unknown, new IdentityHashMap<>());
        return unknown;
    }

    private static void walk(Object node, String path, List<String> unknown, Map<Object, Boolean> seen) {
        if (node == null || seen.put(node, true) != null || node instanceof GenericKubernetesResource) {
            return;
        }
        if (node instanceof Collection<?> c) {
            int i = 0;
            for (Object item : c) {
                walk(item, path + "[" + i++ + "]", unknown, seen);
            }
            return;
        }
        if (!node.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        try {
            BeanInfo info = Introspector.getBeanInfo(node.getClass(), Object.class);
            for (PropertyDescriptor p : info.getPropertyDescriptors()) {
                Method getter = p.getReadMethod();
                if (getter == null) {
                    continue;
                }
                Object value = getter.invoke(node);
                if (p.getName().equals("additionalProperties")) {
                    if (value instanceof Map<?, ?> m && !m.isEmpty()) {
                        unknown.add(path + " has unknown fields " + m.keySet());
                    }
                } else if (!(value instanceof Map<?, ?>)) {
                    walk(value, path + "." + p.getName(), unknown, seen);
                }
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
