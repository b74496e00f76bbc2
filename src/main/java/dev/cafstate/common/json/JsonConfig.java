package dev.cafstate.common.json;

import java.io.IOException;

import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import dev.cafstate.common.config.CafConfig;
import io.quarkus.jackson.ObjectMapperCustomizer;
import io.quarkus.runtime.StartupEvent;

/**
 * The wire rules of CAF for every JSON body: snake_case, absent optional fields left out, numbers kept exactly
 * (decimals read as decimals, doubles written in their shortest form), and the parser's limits following this
 * service's (nesting depth, and a string may be as long as the largest document).
 */
@Singleton
public class JsonConfig implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        apply(mapper);
    }

    /**
     * The parser's limits follow this service's: the nesting depth, and a string may be as long as the largest
     * document (set at start, when the runtime configuration is known; the mapper may be built before).
     */
    void limits(@Observes StartupEvent event, ObjectMapper mapper, CafConfig config) {
        int depth = config.limits().maxJsonDepth();
        if (depth < 1 || depth > 1000) {
            // Jackson writes at most 1000 levels (StreamWriteConstraints), and the readers recurse once per level
            throw new IllegalStateException("caf.limits.max-json-depth is " + depth + "; it must be 1..1000");
        }
        long maxString = Math.max(
                config.checkpoints().maxDocumentBytes(), config.limits().maxRequestBytes());
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(config.limits().maxJsonDepth())
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxString))
                        .build());
    }

    /** Applies the CAF wire rules to a mapper (also used by tests and tools that build their own mapper). */
    public static ObjectMapper apply(ObjectMapper mapper) {
        mapper.setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
        mapper.setDefaultPropertyInclusion(
                JsonInclude.Value.construct(JsonInclude.Include.NON_ABSENT, JsonInclude.Include.NON_ABSENT));
        mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        // bodies are checked on their JSON tree first (JsonChecks, CafSchema); mapping the checked tree to records
        // then needs no coercion, except that 1.0 is an integer to JavaScript and so to CAF
        mapper.configure(DeserializationFeature.ACCEPT_FLOAT_AS_INT, true);
        mapper.configure(MapperFeature.ALLOW_COERCION_OF_SCALARS, false);
        mapper.configure(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES, true);
        mapper.configure(DeserializationFeature.FAIL_ON_TRAILING_TOKENS, true);
        mapper.configure(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS, true);
        mapper.configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
        mapper.configure(SerializationFeature.FAIL_ON_EMPTY_BEANS, false);
        mapper.getFactory().enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER.mappedFeature());
        mapper.registerModule(new SimpleModule("caf-numbers")
                .addSerializer(Double.class, new WholeDoubles())
                .addSerializer(double.class, new WholeDoubles()));
        return mapper;
    }

    /**
     * Writes whole doubles without a fraction ({@code 3}, not {@code 3.0}), as the JavaScript SDK does, so documents
     * round-trip to the same text; other doubles are written as usual.
     */
    static final class WholeDoubles extends StdSerializer<Double> {

        WholeDoubles() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            double d = value;
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) {
                gen.writeNumber((long) d);
            } else {
                gen.writeNumber(d);
            }
        }
    }
}
