/* till-loyalty.h: what membership gives: tiers, points, member prices,
 * birthday perks, and each member's history
 *
 * The rules are the store's (setting "members.rules", JSON, HQ may send it
 * through the settings channel; till_loyalty_rules_load gives the defaults
 * below when it is unset):
 *   {"tiers": [{"code": "normal", "name": "普通会员", "min_spend": 0,
 *               "min_visits": 0, "discount_bp": 0, "points_per_yuan": 1},
 *              {"code": "silver", "name": "银卡会员", "min_spend": 100000, …,
 *               "discount_bp": 200, "points_per_yuan": 1},
 *              {"code": "gold", "name": "金卡会员", "min_spend": 500000, …,
 *               "discount_bp": 500, "points_per_yuan": 2}],
 *    "tier_period_days": 365,       spend and visits counted over this
 *    "points_excluded_skus": [], "points_excluded_categories": [],
 *    "points_excluded_tenders": ["stored-value", "voucher", "points"],
 *    "points_expire_months": 12,    earned points expire at the end of the
 *                                   month this many months after earning
 *    "points_per_yuan_redeemed": 100,  100 points pay ¥1
 *    "points_max_share_bp": 5000,   points pay at most half of a sale
 *    "birthday_discount_bp": 1000,  10 % off in the member's birthday week
 *    "birthday_points_multiplier": 2}
 * A member's tier is the highest whose min_spend OR min_visits they reached
 * over the period (a tier with both at 0 is the entry tier); it is evaluated
 * after each of their sales and returns, and daily, so members move up and
 * down by rule.
 *
 * Points are a ledger of signed entries (table member_points): earn (+, with
 * its expiry), redeem (−), refund (±, a return gives back redeemed points and
 * takes back earned ones in proportion), expire (−); the balance is their
 * sum, never a number overwritten. Expired points are consumed first-in,
 * first-out: an "expire" entry is written for what is left of earnings past
 * their expiry.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-member.h"
#include "till-promotion.h"
#include "till-tender.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_LOYALTY_ERROR (till_loyalty_error_quark ())

typedef enum
{
  TILL_LOYALTY_ERROR_FAILED,
  TILL_LOYALTY_ERROR_RULES,  /* the rules setting is not valid: the message says what */
  TILL_LOYALTY_ERROR_POINTS, /* not enough points, or more than the rules let points pay */
} TillLoyaltyError;

GQuark till_loyalty_error_quark (void);

typedef struct
{
  char  *code;
  char  *name;
  gint64 min_spend; /* fen over the period */
  gint64 min_visits;
  gint64 discount_bp;
  gint64 points_per_yuan;
} TillLoyaltyTier;

typedef struct
{
  GArray *tiers; /* TillLoyaltyTier, ascending */
  gint64  tier_period_days;
  GStrv   points_excluded_skus;
  GStrv   points_excluded_categories;
  GStrv   points_excluded_tenders;
  gint64  points_expire_months;
  gint64  points_per_yuan_redeemed;
  gint64  points_max_share_bp;
  gint64  birthday_discount_bp;
  gint64  birthday_points_multiplier;
  char   *birthday_coupon; /* a coupon promotion's code issued in the birthday week, "" none */
} TillLoyaltyRules;

void till_loyalty_rules_free (TillLoyaltyRules *rules);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillLoyaltyRules, till_loyalty_rules_free)

/* The store's rules (setting members.rules) or the defaults; a setting that
 * does not parse or contradicts itself (tiers not ascending, a rate below 0)
 * is TILL_LOYALTY_ERROR_RULES with the reason. */
TillLoyaltyRules      *till_loyalty_rules_load (TillStore *store,
                                                GError   **error) G_GNUC_WARN_UNUSED_RESULT;
const TillLoyaltyTier *till_loyalty_rules_find_tier (const TillLoyaltyRules *rules,
                                                     const char             *code);

/* The promotions membership brings to a sale, for the pricing engine, when
 * @member is attached at @local (the store's local time): the member's
 * tier discount (TIER_DISCOUNT on every product), member prices (MEMBER_PRICE
 * on every product that has one) and, in the member's birthday week, the
 * birthday discount. Codes start with "MEMBER-". */
GPtrArray *till_loyalty_member_promotions (const TillLoyaltyRules *rules,
                                           const TillMember       *member,
                                           GDateTime              *local) G_GNUC_WARN_UNUSED_RESULT;

/* Points. */
gint64 till_loyalty_points_balance (TillStore *store, const char *member_id, GError **error);
/* Points earned by a sale of @eligible fen (the lines that earn, less the
 * share paid by excluded tenders): floor (eligible / 100 × rate × the
 * birthday multiplier when it applies). */
gint64 till_loyalty_points_for (const TillLoyaltyRules *rules,
                                const TillMember       *member,
                                gint64                  eligible,
                                GDateTime              *local);
/* When points earned at @local expire: the end of the month
 * points_expire_months after it, as µs (0: the rules let points never
 * expire), for the "earn" entry's expires_us. */
gint64 till_loyalty_points_expires_us (const TillLoyaltyRules *rules, GDateTime *local);
/* Whether @local (the store's local time) is in @member's birthday week:
 * Monday to Sunday around the birthday of that year (29 February is the
 * 28th in other years). */
gboolean till_loyalty_in_birthday_week (const TillMember *member, GDateTime *local);
/* Inside the sale's or return's transaction: a ledger entry. */
gboolean _till_loyalty_add_points (TillStore  *store,
                                   const char *member_id,
                                   const char *kind, /* earn, redeem, refund, expire, adjust */
                                   gint64      points,
                                   gint64      expires_us, /* earn only, else 0 */
                                   const char *sale_uuid,
                                   const char *return_uuid,
                                   gint64      now_us,
                                   GError    **error);
/* Inside the sale's transaction: checks @member_id's balance again (another
 * sale may have spent it since the tender was authorized) and writes the
 * "redeem" entry of @points (> 0); TILL_LOYALTY_ERROR_POINTS when short. */
gboolean _till_loyalty_redeem (TillStore  *store,
                               const char *member_id,
                               gint64      points,
                               const char *sale_uuid,
                               gint64      now_us,
                               GError    **error);
/* Writes the "expire" entries due at @now_us for every member (or one),
 * in one transaction; returns how many points expired (-1 with @error set
 * on failure). */
gint64
till_loyalty_expire_points (TillStore *store, const char *member_id, gint64 now_us, GError **error);

/* Tiers: evaluates @member_id's spend and visits over the period ending at
 * @now_us and sets the tier (till_member_set_tier) when it changed; returns
 * the tier code. Inside the caller's transaction when one is open. */
char *till_loyalty_evaluate_tier (TillStore  *store,
                                  const char *member_id,
                                  gint64      now_us,
                                  GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* For the sale and return commits, inside their transaction: evaluates the
 * tier again; rules that do not read (HQ sent a bad setting) are logged and
 * leave the tier as it is, so that they never stop a sale. FALSE only on a
 * storage error. */
gboolean
_till_loyalty_update_tier (TillStore *store, const char *member_id, gint64 now_us, GError **error);

/* "points": pays with the member's points (request.input is the member id),
 * at most the balance and the rules' share of the sale; the amount is in fen,
 * the points it costs amount × points_per_yuan_redeemed / 100. The redeem
 * entry is written in the sale's transaction, where the balance is checked
 * again. */
TillTender *till_points_tender_new (TillStore *store);

/* The daily upkeep (the session runs it at start and every day): points
 * past their expiry are expired, every member's tier is evaluated again (so
 * members move down when their spend leaves the period), and the birthday
 * coupon (rules "birthday_coupon": a coupon promotion's code, "" none) is
 * issued to members whose birthday week begins. Returns how many members
 * changed tier. */
gint64 till_loyalty_run_daily (
    TillStore *store, TillJournal *journal, TillMemberKey *key, gint64 now_us, GError **error);

/* Member coupons (会员券): a coupon promotion (TILL_PROMOTION_COUPON) issued to
 * one member under a code of their own (the promotion's coupon_code followed
 * by "-" and a unique suffix; till_promotion_find_coupon accepts it for
 * that promotion). A code in member_coupon can only be used on a sale of its
 * member (the cart refuses it otherwise, TILL_PROMOTION_ERROR_COUPON) and
 * only once (the sale's transaction marks it used). Issuing one by hand
 * needs TILL_PERMISSION_MANAGE_PROMOTIONS (checked in its transaction); the
 * daily upkeep issues birthday coupons itself. Both are journaled
 * ("member-coupon") and queued for HQ as a "member" document. */
typedef struct
{
  char  *code;
  char  *promotion; /* the coupon promotion's code */
  char  *name;      /* the promotion's name, for the screen */
  char  *reason;    /* "birthday", "welcome", "manual", … */
  gint64 issued_us;
  gint64 used_us; /* 0: not used */
} TillMemberCoupon;

void till_member_coupon_free (TillMemberCoupon *coupon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillMemberCoupon, till_member_coupon_free)

TillMemberCoupon *till_loyalty_issue_coupon (TillStore   *store,
                                             TillJournal *journal,
                                             TillUser    *user,
                                             const char  *member_id,
                                             const char  *promotion_code,
                                             const char  *reason,
                                             GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* The member's coupons not used yet (TillMemberCoupon), newest first. */
GPtrArray *till_loyalty_member_coupons (TillStore  *store,
                                        const char *member_id,
                                        GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* For the cart and the sale commit: whose coupon @code is (NULL: nobody's,
 * an ordinary coupon), and, inside the sale's transaction, spending it. */
char *_till_loyalty_coupon_owner (TillStore *store, const char *code, GError **error);
/* @typed (any case, full-width folded) as member_coupon spells it, and its
 * owner: FALSE with no error when it is no member coupon. */
gboolean _till_loyalty_find_member_coupon (
    TillStore *store, const char *typed, char **out_code, char **out_member_id, GError **error);
gboolean _till_loyalty_use_member_coupon (
    TillStore *store, const char *code, const char *sale_uuid, gint64 now_us, GError **error);

/* Points for gifts (积分兑换): @points of the member's points for one
 * @product_id handed over at the counter, in ONE transaction: the redeem
 * ledger entry (balance checked), the stock movement out, the journal entry
 * "points-gift" naming @user, and a "member" document for HQ. Refused with
 * TILL_LOYALTY_ERROR_POINTS when the balance is short. */
gboolean till_loyalty_redeem_for_gift (TillStore   *store,
                                       TillJournal *journal,
                                       TillUser    *user,
                                       const char  *member_id,
                                       gint64       product_id,
                                       gint64       points,
                                       GError     **error);

/* A member's history and report. */
typedef struct
{
  gint64 spend;  /* fen, sales less returns, over all time */
  gint64 visits; /* sales */
  gint64 last_visit_us;
  gint64 points;               /* balance */
  GStrv  favourite_categories; /* category names, most bought first, at most 3 */
} TillMemberSummary;

void till_member_summary_free (TillMemberSummary *summary);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillMemberSummary, till_member_summary_free)

TillMemberSummary *till_loyalty_member_summary (TillStore  *store,
                                                const char *member_id,
                                                GError    **error) G_GNUC_WARN_UNUSED_RESULT;
/* The member's last @limit sales, newest first (uuid text). */
GStrv till_loyalty_member_sales (TillStore  *store,
                                 const char *member_id,
                                 guint       limit,
                                 GError    **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
