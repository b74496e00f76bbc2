package dev.cafstate.common.paging;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One page of a list: the items and, when more follow, the opaque cursor of the next page. */
public record Page<T>(List<T> items, String nextCursor) {

    /**
     * The page made of {@code rows} fetched with one row more than {@code limit}: that extra row only tells that
     * another page follows, whose cursor {@code cursorAfter} makes from the page's last item.
     */
    public static <T> Page<T> of(List<T> rows, int limit, Function<T, String> cursorAfter) {
        List<T> items = new ArrayList<>(rows.subList(0, Math.min(limit, rows.size())));
        return new Page<>(items, rows.size() > limit ? cursorAfter.apply(items.get(items.size() - 1)) : null);
    }
}
