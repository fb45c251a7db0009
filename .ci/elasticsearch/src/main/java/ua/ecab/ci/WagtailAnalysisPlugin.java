package ua.ecab.ci;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.miscellaneous.ASCIIFoldingFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenFilter;
import org.apache.lucene.analysis.ngram.EdgeNGramTokenizer;
import org.apache.lucene.analysis.ngram.NGramTokenFilter;
import org.apache.lucene.analysis.ngram.NGramTokenizer;
import org.elasticsearch.common.settings.Settings;
import org.elasticsearch.index.IndexSettings;
import org.elasticsearch.index.analysis.AbstractTokenFilterFactory;
import org.elasticsearch.index.analysis.NormalizingTokenFilterFactory;
import org.elasticsearch.index.analysis.TokenFilterFactory;
import org.elasticsearch.index.analysis.TokenizerFactory;
import org.elasticsearch.indices.analysis.AnalysisModule.AnalysisProvider;
import org.elasticsearch.plugins.AnalysisPlugin;
import org.elasticsearch.plugins.Plugin;

/**
 * The analysis components that Wagtail's Elasticsearch index settings use and that a full Elasticsearch gets from
 * its analysis-common module (not published on Maven Central), rebuilt on Lucene's own filters and tokenizers:
 * <ul>
 * <li>token filters {@code lowercase}, {@code asciifolding} (preserve_original), {@code ngram} and
 * {@code edge_ngram} (min_gram, max_gram, preserve_original; edge_ngram also side=front);</li>
 * <li>tokenizers {@code ngram} and {@code edge_ngram} (min_gram, max_gram, token_chars).</li>
 * </ul>
 * Defaults follow Elasticsearch: min_gram 1, max_gram 2. For ngram, max_gram - min_gram may not exceed the index
 * setting index.max_ngram_diff (default 1), as in Elasticsearch. Loaded by {@link RunNode} as a module.
 */
public final class WagtailAnalysisPlugin extends Plugin implements AnalysisPlugin {

    @Override
    public Map<String, AnalysisProvider<TokenFilterFactory>> getTokenFilters() {
        return Map.of(
                "lowercase", (index, env, name, s) -> new Normalizing(name, s, LowerCaseFilter::new),
                "asciifolding", (index, env, name, s) -> {
                    final boolean preserve = s.getAsBoolean("preserve_original", false);
                    return new Normalizing(name, s, in -> new ASCIIFoldingFilter(in, preserve));
                },
                "ngram", (index, env, name, s) -> {
                    final int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
                    checkNgramDiff(index, "NGram Token Filter", min, max);
                    final boolean preserve = s.getAsBoolean("preserve_original", false);
                    return new Filter(name, s, in -> new NGramTokenFilter(in, min, max, preserve));
                },
                "edge_ngram", (index, env, name, s) -> {
                    final int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
                    final String side = s.get("side", "front");
                    if (!"front".equals(side)) {
                        throw new IllegalArgumentException("[edge_ngram] token filter [" + name
                                + "]: only side=front is supported here, not [" + side + "]");
                    }
                    final boolean preserve = s.getAsBoolean("preserve_original", false);
                    return new Filter(name, s, in -> new EdgeNGramTokenFilter(in, min, max, preserve));
                });
    }

    @Override
    public Map<String, AnalysisProvider<TokenizerFactory>> getTokenizers() {
        return Map.of(
                "ngram", (index, env, name, s) -> {
                    final int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
                    checkNgramDiff(index, "NGram Tokenizer", min, max);
                    final CharClasses chars = new CharClasses(s.getAsList("token_chars"));
                    return TokenizerFactory.newFactory(name, () -> new NGramTokenizer(min, max) {
                        @Override
                        protected boolean isTokenChar(final int c) {
                            return chars.matches(c);
                        }
                    });
                },
                "edge_ngram", (index, env, name, s) -> {
                    final int min = s.getAsInt("min_gram", 1), max = s.getAsInt("max_gram", 2);
                    final CharClasses chars = new CharClasses(s.getAsList("token_chars"));
                    return TokenizerFactory.newFactory(name, () -> new EdgeNGramTokenizer(min, max) {
                        @Override
                        protected boolean isTokenChar(final int c) {
                            return chars.matches(c);
                        }
                    });
                });
    }

    /** The limit Elasticsearch puts on n-gram ranges: the index setting index.max_ngram_diff. */
    private static void checkNgramDiff(final IndexSettings index, final String what, final int min, final int max) {
        final int allowed = index.getMaxNgramDiff();
        if (max - min > allowed) {
            throw new IllegalArgumentException("The difference between max_gram and min_gram in " + what
                    + " must be less than or equal to: [" + allowed + "] but was [" + (max - min)
                    + "]. This limit can be set by changing the [" + IndexSettings.MAX_NGRAM_DIFF_SETTING.getKey()
                    + "] index level setting.");
        }
    }

    /** A token filter factory that wraps the stream with {@code wrap}. */
    private static class Filter extends AbstractTokenFilterFactory {
        private final java.util.function.UnaryOperator<TokenStream> wrap;

        Filter(final String name, final Settings settings, final java.util.function.UnaryOperator<TokenStream> wrap) {
            super(name, settings);
            this.wrap = wrap;
        }

        @Override
        public TokenStream create(final TokenStream in) {
            return wrap.apply(in);
        }
    }

    /** A per-character filter, also usable in normalizers (keyword fields, prefix and wildcard queries). */
    private static final class Normalizing extends Filter implements NormalizingTokenFilterFactory {
        Normalizing(final String name, final Settings settings, final java.util.function.UnaryOperator<TokenStream> wrap) {
            super(name, settings, wrap);
        }
    }

    /** The token_chars setting of the n-gram tokenizers: empty means every character belongs to a token. */
    private static final class CharClasses {
        private final List<String> classes;

        CharClasses(final List<String> classes) {
            for (final String c : classes) {
                if (!List.of("letter", "digit", "whitespace", "punctuation", "symbol").contains(c)) {
                    throw new IllegalArgumentException("Unknown token type: '" + c
                            + "', must be one of [letter, digit, whitespace, punctuation, symbol]");
                }
            }
            this.classes = classes.stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        }

        boolean matches(final int c) {
            if (classes.isEmpty()) {
                return true;
            }
            final int type = Character.getType(c);
            return (classes.contains("letter") && Character.isLetter(c))
                    || (classes.contains("digit") && Character.isDigit(c))
                    || (classes.contains("whitespace") && Character.isWhitespace(c))
                    || (classes.contains("punctuation") && isPunctuation(type))
                    || (classes.contains("symbol") && isSymbol(type));
        }

        private static boolean isPunctuation(final int type) {
            return type == Character.CONNECTOR_PUNCTUATION || type == Character.DASH_PUNCTUATION
                    || type == Character.START_PUNCTUATION || type == Character.END_PUNCTUATION
                    || type == Character.INITIAL_QUOTE_PUNCTUATION || type == Character.FINAL_QUOTE_PUNCTUATION
                    || type == Character.OTHER_PUNCTUATION;
        }

        private static boolean isSymbol(final int type) {
            return type == Character.MATH_SYMBOL || type == Character.CURRENCY_SYMBOL
                    || type == Character.MODIFIER_SYMBOL || type == Character.OTHER_SYMBOL;
        }
    }
}
