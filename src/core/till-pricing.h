/* till-pricing.h: the promotion engine: prices a cart against the active
 * promotions, picks the best combination their stacking rules allow,
 * splits every discount across lines to the fen, and explains itself
 *
 * Pure computation: no database, no clock of its own. The same input gives
 * the same result, always (ties are broken by priority, then code). Runs
 * after every scan: 100 lines against 1,000 promotions must re-price in
 * under 1 ms (tests/bench/bench-pricing.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-promotion.h"
#include "till-types.h"

G_BEGIN_DECLS

/* One cart line as the engine sees it. */
typedef struct
{
  guint       line_no;
  const char *sku;
  GStrv       categories;   /* the product's category code and its ancestors', may be NULL */
  const char *brand;        /* may be NULL */
  gint64      quantity;     /* thousandths; a counted item is a multiple of 1000 */
  gint64      unit_price;   /* fen, after any manual price override */
  gint64      member_price; /* fen, 0 = none */
  gboolean    weighed;      /* weighed lines count as one unit for buy/nth/mix/bundle */
  gboolean    manual_price; /* price overridden by hand: promotions leave the line alone */
} TillPricingLine;

/* Who buys, where and when. */
typedef struct
{
  GDateTime  *local_time; /* the store's local time */
  const char *store_id;
  const char *group_id;    /* may be NULL */
  const char *member_id;   /* NULL: not a member sale */
  const char *member_tier; /* may be NULL */
  GStrv       coupons; /* codes presented for this sale (checked by till_promotion_find_coupon) */
  /* How often the member used each promotion before (code → count as
   * GINT_TO_POINTER), for per_member_limit; may be NULL. */
  GHashTable *member_uses;
} TillPricingContext;

/* One application of a promotion. */
typedef struct
{
  char   *code;
  char   *name;
  gint64  saving;   /* fen, > 0 */
  GArray *line_nos; /* guint: the lines it touched */
  guint   times;    /* how many times it applied (3 × "buy 2 get 1") */
} TillPricingApplied;

/* One promotion's share of one line, to the fen. */
typedef struct
{
  char  *code;
  char  *name;
  gint64 amount; /* fen, > 0 */
} TillPricingShare;

/* Copies @shares (TillPricingShare) into a new array that frees its strings. */
GArray *till_pricing_shares_copy (GArray *shares) G_GNUC_WARN_UNUSED_RESULT;
/* An empty array of TillPricingShare that frees its strings. */
GArray *till_pricing_shares_new (void) G_GNUC_WARN_UNUSED_RESULT;

/* A line's share of every saving, to the fen. */
typedef struct
{
  guint   line_no;
  gint64  gross;    /* quantity × unit_price, rounded half-up to the fen */
  gint64  discount; /* the sum of its shares, ≤ gross */
  gint64  net;      /* gross − discount */
  GArray *shares;   /* TillPricingShare: each promotion with a share in this line, in the
                       order they applied */
} TillPricingLineResult;

/* A gift to add as a zero-price line. */
typedef struct
{
  char  *code; /* the promotion */
  char  *sku;
  gint64 quantity;
} TillPricingGift;

/* "You could also get": spend @missing_amount more (or take @missing_quantity
 * more of the targets) for @saving. */
typedef struct
{
  char  *code;
  char  *name;
  gint64 missing_amount;
  gint64 missing_quantity;
  gint64 saving;
} TillPricingHint;

typedef struct
{
  GPtrArray *lines;   /* TillPricingLineResult, in the input's order */
  GPtrArray *applied; /* TillPricingApplied, by saving (largest first), then code */
  GPtrArray *gifts;   /* TillPricingGift */
  GPtrArray *hints;   /* TillPricingHint, the closest first; at most 3 */
  gint64     gross;   /* Σ line gross */
  gint64     saving;  /* Σ applied saving = Σ line discount, exactly */
  gint64     total;   /* gross − saving */
} TillPricingResult;

/* Whether promotions of @kind apply to the whole sale (threshold, coupon,
 * sale discount: step 2 below) rather than to lines. */
gboolean till_pricing_kind_is_whole_sale (TillPromotionKind kind);

void till_pricing_result_free (TillPricingResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPricingResult, till_pricing_result_free)

/* Prices @lines (@n_lines) against @promotions (TillPromotion, as
 * till_promotion_load_all gives them; inactive or out-of-scope ones are
 * skipped). Order of work:
 *   1. line promotions (fixed price, percent off, member price, tier
 *      discount, buy X get Y, nth item, mix and match, bundle, gift) on
 *      gross prices;
 *   2. then sale promotions (threshold, coupon, sale discount) on what is
 *      left, their min_amount measured after step 1;
 *   3. within the stacking rules (an exclusive promotion alone; one per
 *      exclusive group; "all" ones together), the combination that saves
 *      the customer most; equal savings go to the higher priority, then the
 *      lower code;
 *   4. each saving split across the lines it touched in proportion to their
 *      remaining amount, to the fen, largest remainders first (ties by line
 *      number), so line nets add up to the total exactly; no line goes
 *      below 0.
 * Never fails: a promotion that cannot apply is left out. */
TillPricingResult *
till_pricing_compute (const TillPricingLine    *lines,
                      guint                     n_lines,
                      GPtrArray                *promotions,
                      const TillPricingContext *context) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
