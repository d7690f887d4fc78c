/* till-promotion.h: what a promotion (营销活动) is: its kind, what it applies
 * to, its conditions and how it stacks; checked when it is saved, loaded for
 * the pricing engine (till-pricing.h)
 *
 * A promotion is plain data. HQ ships promotions in the "promotions" channel
 * (master_row, JSON, see till_promotion_parse_json); a manager may also keep
 * till-local ones (table promotion, migration 8). Money is fen, quantities
 * thousandths, times µs since the Unix epoch (local wall-clock rules use the
 * store's local time).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-permission.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_PROMOTION_ERROR (till_promotion_error_quark ())

typedef enum
{
  TILL_PROMOTION_ERROR_FAILED,
  TILL_PROMOTION_ERROR_INVALID,   /* contradicting or impossible rules: the message says which */
  TILL_PROMOTION_ERROR_COUPON,    /* a coupon that is expired, used up or not yet valid */
  TILL_PROMOTION_ERROR_NO_COUPON, /* no coupon has this code (or no code was given) */
} TillPromotionError;

GQuark till_promotion_error_quark (void);

typedef enum
{
  TILL_PROMOTION_THRESHOLD, /* 满减: tiers of (min_amount → amount_off), or "every X save Y" */
  TILL_PROMOTION_PERCENT_OFF, /* percent_bp off the target lines */
  TILL_PROMOTION_FIXED_PRICE, /* the target items at fixed_price each */
  TILL_PROMOTION_GIFT,        /* 赠品: gift_sku × gift_quantity at 0 when the conditions hold */
  TILL_PROMOTION_BUY_X_GET_Y, /* buy buy_quantity, get get_quantity free (percent_bp = 10000)
                                 or at percent_bp off; the cheapest units are the ones given */
  TILL_PROMOTION_NTH_ITEM, /* every nth_item-th unit at percent_bp off (第二件半价: 2, 5000) */
  TILL_PROMOTION_MIX_AND_MATCH, /* any mix_quantity units of the targets for mix_price (任选3件10元)
                                 */
  TILL_PROMOTION_BUNDLE, /* the bundle (each of bundle_skus × its quantity) for bundle_price */
  TILL_PROMOTION_MEMBER_PRICE,  /* members pay the product's member price on the targets */
  TILL_PROMOTION_TIER_DISCOUNT, /* members of the tiers get percent_bp off the targets */
  TILL_PROMOTION_COUPON,        /* a coupon code: amount_off, or percent_bp off, over min_amount */
  TILL_PROMOTION_SALE_DISCOUNT, /* percent_bp off the whole sale (after line promotions) */
} TillPromotionKind;

const char *till_promotion_kind_to_string (TillPromotionKind kind);
gboolean    till_promotion_kind_from_string (const char *text, TillPromotionKind *out_kind);

typedef enum
{
  TILL_STACKING_ALL,             /* combines with every other promotion */
  TILL_STACKING_EXCLUSIVE,       /* applies alone, or not at all */
  TILL_STACKING_EXCLUSIVE_GROUP, /* at most one of its stacking_group applies */
} TillStacking;

/* One tier of a threshold promotion: spend at least min_amount, save off. */
typedef struct
{
  gint64 min_amount;
  gint64 amount_off;
} TillPromotionTier;

/* A time-of-day window in minutes after local midnight; end < start runs
 * across midnight (22:00–02:00). */
typedef struct
{
  guint start_minute;
  guint end_minute;
} TillPromotionWindow;

typedef struct
{
  char             *code; /* unique id, e.g. "P2026-001" */
  char             *name; /* shown to the cashier and on the receipt: "第二件半价" */
  TillPromotionKind kind;
  int               priority; /* higher first; ties by code */
  TillStacking      stacking;
  char             *stacking_group; /* for TILL_STACKING_EXCLUSIVE_GROUP */

  /* What it applies to. Empty sets mean every product (THRESHOLD, COUPON,
   * SALE_DISCOUNT always apply to the whole sale). A product is a target
   * when its SKU, category (or an ancestor category) or brand is listed and
   * its SKU is not excluded. Category codes are category.code. */
  GStrv skus;
  GStrv categories;
  GStrv brands;
  GStrv excluded_skus;

  /* The kind's figures (those a kind does not use stay 0 / NULL). */
  gint64   percent_bp;   /* basis points off: 5000 = half price */
  gint64   fixed_price;  /* FIXED_PRICE, per unit */
  GArray  *tiers;        /* TillPromotionTier, ascending min_amount (THRESHOLD) */
  gint64   every_amount; /* THRESHOLD "every X save Y": X; tiers unused */
  gint64   every_off;    /* … Y */
  char    *gift_sku;
  gint64   gift_quantity; /* thousandths */
  gint64   buy_quantity;  /* BUY_X_GET_Y, whole units */
  gint64   get_quantity;
  gint64   nth_item;     /* NTH_ITEM, ≥ 2 */
  gint64   mix_quantity; /* MIX_AND_MATCH, whole units */
  gint64   mix_price;
  GStrv    bundle_skus;       /* BUNDLE */
  GArray  *bundle_quantities; /* gint64 whole units, one per bundle SKU */
  gint64   bundle_price;
  gint64   amount_off; /* COUPON */
  char    *coupon_code;
  gboolean coupon_multi_use; /* FALSE: each code once */

  /* Conditions. 0 / NULL / empty means no condition. */
  gint64   valid_from_us;
  gint64   valid_until_us; /* exclusive */
  guint    weekdays;       /* bit 1 = Monday … bit 7 = Sunday (GDateWeekday); 0 = every day */
  GArray  *windows;        /* TillPromotionWindow; empty = all day */
  GStrv    stores;         /* store ids; empty = every store */
  GStrv    store_groups;   /* group ids */
  gboolean member_only;
  GStrv    tiers_only;       /* member tiers it is for (TIER_DISCOUNT: the tiers that get it) */
  gint64   min_quantity;     /* of the targets, thousandths */
  gint64   min_amount;       /* of the targets (THRESHOLD/COUPON/SALE_DISCOUNT: of the sale) */
  gint64   per_sale_limit;   /* applications per sale; 0 = no limit */
  gint64   per_member_limit; /* applications per member over its life; 0 = no limit */
} TillPromotion;

TillPromotion *till_promotion_new (const char *code, const char *name, TillPromotionKind kind);
TillPromotion *till_promotion_copy (const TillPromotion *promotion);
void           till_promotion_free (TillPromotion *promotion);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPromotion, till_promotion_free)

/* Refuses a promotion whose rules contradict or cannot be met, with
 * TILL_PROMOTION_ERROR_INVALID and the reason for the manager: a percentage
 * outside 1–10000 bp, tiers not ascending or saving more than they ask, a
 * valid_until before valid_from, a window of zero length, an exclusive-group
 * promotion without a group, a gift without a SKU, buy/get/nth/mix figures
 * that cannot happen, a bundle without SKUs or with quantities not matching,
 * a SKU both targeted and excluded, a coupon without a code, … */
gboolean till_promotion_validate (const TillPromotion *promotion, GError **error);

/* Whether the promotion's date range, weekdays and time windows hold at
 * @local (the store's local time). */
gboolean till_promotion_is_active_at (const TillPromotion *promotion, GDateTime *local);

/* Reads a promotion from HQ's JSON (the "promotions" channel's row data):
 *   {"code","name","kind":"threshold|percent-off|fixed-price|gift|buy-x-get-y|
 *    nth-item|mix-and-match|bundle|member-price|tier-discount|coupon|
 *    sale-discount","priority","stacking":"all|exclusive|exclusive-group",
 *    "stacking_group","skus":[…],"categories":[…],"brands":[…],"excluded_skus":[…],
 *    "percent_bp","fixed_price","tiers":[{"min_amount","amount_off"}],
 *    "every_amount","every_off","gift_sku","gift_quantity","buy_quantity",
 *    "get_quantity","nth_item","mix_quantity","mix_price",
 *    "bundle":[{"sku","quantity"}],"bundle_price","amount_off","coupon_code",
 *    "coupon_multi_use","valid_from_us","valid_until_us","weekdays":[1,…,7],
 *    "windows":[{"start":"22:00","end":"02:00"}],"stores":[…],"store_groups":[…],
 *    "member_only","tiers_only":[…],"min_quantity","min_amount","per_sale_limit",
 *    "per_member_limit"}
 * with SQLite's JSON functions on @store's connection (the core has no JSON
 * library), then validates it. */
TillPromotion *till_promotion_parse_json (TillStore  *store,
                                          const char *json,
                                          GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* The inverse, for till-local promotions and tests. */
char *till_promotion_to_json (const TillPromotion *promotion) G_GNUC_WARN_UNUSED_RESULT;

/* Every promotion the till knows that could apply in @store_id (of
 * @group_id, may be NULL): HQ's (master_row channel "promotions") and the
 * till's own (table promotion), validated; a row that does not validate is
 * skipped with a g_message naming it. Sorted by priority (highest first),
 * then code. */
GPtrArray *till_promotion_load_all (TillStore  *store,
                                    const char *store_id,
                                    const char *group_id,
                                    GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* Till-local promotions (a manager's, on the back-office screen): saved
 * after till_promotion_validate, in the table promotion; journaled (kind
 * "promotion", naming the acting user). Both check, inside their one
 * transaction, that @user may TILL_PERMISSION_MANAGE_PROMOTIONS (or that
 * @override, may be NULL, names a supervisor who may: till_permission_check),
 * and refuse with TILL_PERMISSION_ERROR_* otherwise, changing nothing. A
 * till-local promotion may carry the code of one of HQ's: it overrides HQ's
 * on this till (see till_promotion_load_all). Must be called outside a
 * transaction. */
gboolean till_promotion_save_local (TillStore           *store,
                                    TillJournal         *journal,
                                    TillUser            *user,
                                    const TillOverride  *override,
                                    const TillPromotion *promotion,
                                    GError             **error);
gboolean till_promotion_delete_local (TillStore          *store,
                                      TillJournal        *journal,
                                      TillUser           *user,
                                      const TillOverride *override,
                                      const char         *code,
                                      GError            **error);

/* Where a promotion the till holds comes from. */
typedef enum
{
  TILL_PROMOTION_SOURCE_HQ_ALL,   /* HQ, for every store */
  TILL_PROMOTION_SOURCE_HQ_GROUP, /* HQ, for this store's group */
  TILL_PROMOTION_SOURCE_HQ_STORE, /* HQ, for this store */
  TILL_PROMOTION_SOURCE_LOCAL,    /* the till's own (a manager's, on the till) */
} TillPromotionSource;

/* One row of the back-office list (till_promotion_list_for_editing). */
typedef struct
{
  TillPromotion      *promotion;
  TillPromotionSource source;
  gboolean            editable;   /* the till's own: it may be edited and deleted here */
  gboolean            active_now; /* it would apply now: in force, in this store, not overridden */
  gboolean            overrides_hq; /* a till-local one whose code HQ also sends */
  gboolean            overridden;   /* HQ's, replaced on this till by a more specific copy */
} TillPromotionListing;

void till_promotion_listing_free (TillPromotionListing *listing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPromotionListing, till_promotion_listing_free)

/* Every promotion the till holds, for the manager's screen: HQ's rows for
 * all stores, @group_id (may be NULL) and @store_id that apply in this store,
 * and all of the till's own (even those limited to other stores, so they can
 * be mended), each once per source; rows that do not validate are skipped
 * with a g_message as in till_promotion_load_all. active_now uses
 * till_user_now (@store) in local time. Sorted by priority (highest first),
 * code, then the till's own before HQ's most specific scope first.
 * Returns: (element-type TillPromotionListing) (transfer full) */
GPtrArray *till_promotion_list_for_editing (TillStore  *store,
                                            const char *store_id,
                                            const char *group_id,
                                            GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* The scope this till reads HQ's promotions for: its store (setting
 * sync.store, "" before enrolment) and its group, the setting store.group
 * HQ sends for the till's store (NULL when HQ has sent none or "": no
 * group). */
gboolean till_promotion_read_scope (TillStore *store,
                                    char     **out_store_id,
                                    char     **out_group_id,
                                    GError   **error);

/* A short translated name of @kind for the screen ("Spend and save"). */
const char *till_promotion_kind_get_label (TillPromotionKind kind);

/* Coupons: the promotion @code names, if it may be used now (@now_us);
 * TILL_PROMOTION_ERROR_COUPON says why not ("this coupon was used on
 * 2026-11-20", "expired on …", "not valid before …"). Its minimum spend and
 * per-member limit are the pricing engine's to check, with the cart. Single-use
 * codes are spent by till_promotion_redeem_coupon inside the sale's
 * transaction. */
TillPromotion *till_promotion_find_coupon (GPtrArray  *promotions,
                                           TillStore  *store,
                                           const char *code,
                                           gint64      now_us,
                                           GError    **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean       till_promotion_redeem_coupon (
          TillStore *store, const char *code, const char *sale_uuid, gint64 now_us, GError **error);

G_END_DECLS
