/* till-cart.h: the sale being built, journaled to the store on every change
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <gio/gio.h>

#include "till-cart-line.h"
#include "till-money.h"
#include "till-member.h"
#include "till-permission.h"
#include "till-pricing.h"
#include "till-promotion.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_CART_ERROR (till_cart_error_quark ())

typedef enum
{
  TILL_CART_ERROR_FAILED,
  TILL_CART_ERROR_NO_LINE,   /* the position names no line */
  TILL_CART_ERROR_QUANTITY,  /* zero, negative or absurd quantity */
  TILL_CART_ERROR_INACTIVE,  /* the product is no longer sold */
  TILL_CART_ERROR_TOO_LARGE, /* the sale would exceed what one sale may hold */
  TILL_CART_ERROR_REASON,    /* the act needs a reason and none was given */
  TILL_CART_ERROR_DISCOUNT,  /* a discount or price outside 0..100 % / the line's worth */
  TILL_CART_ERROR_EMPTY,     /* nothing in the cart to act on */
  TILL_CART_ERROR_CAPTURED,  /* card or wallet money was taken: release it before voiding or holding
                              */
  TILL_CART_ERROR_GIFT,      /* a gift line follows its promotion: it cannot be changed by hand */
  TILL_CART_ERROR_COUPON,    /* the coupon is already on this sale, or not on it */
} TillCartError;

/* A cart is a GListModel of TillCartLine. Properties (read-only, notify):
 * "sale-uuid", "subtotal", "rounding", "total", "item-count", "n-lines",
 * "promotion-saving". Signal "repriced" (no arguments): emitted after every
 * change once the promotions were applied again (till_cart_get_pricing has
 * the new result: applied promotions, hints, coupons that did not apply).
 *
 * Promotions (issue 8). The cart prices itself with the pricing engine
 * (till-pricing.h) after every change, against the promotions of its store
 * (till_promotion_load_all for the store and group of the till's sync
 * identity; read when a new sale starts and on
 * till_cart_reload_promotions), at the current local time, for the member
 * set with till_cart_set_member and the coupons presented. Gifts (赠品) are
 * zero-price lines the cart keeps after the cashier's lines, added and
 * removed as their promotion comes and goes; acts on them are refused with
 * TILL_CART_ERROR_GIFT. Gift lines are not journaled: restoring the cart
 * prices it again.
 *
 * Every change is written to the store before the call returns, so that a till
 * killed at any moment reopens with the same cart (till_cart_restore()). If that
 * write fails, the change is not made and an error is returned. */
#define TILL_TYPE_CART (till_cart_get_type ())
G_DECLARE_FINAL_TYPE (TillCart, till_cart, TILL, CART, GObject)

GQuark till_cart_error_quark (void);

TillCart    *till_cart_new (TillStore *store, TillCatalog *catalog) G_GNUC_WARN_UNUSED_RESULT;
gboolean     till_cart_restore (TillCart *self, GError **error);
TillStore   *till_cart_get_store (TillCart *self);
TillCatalog *till_cart_get_catalog (TillCart *self);
const char  *till_cart_get_sale_uuid (TillCart *self);

/* Counted goods: scanning the same product again adds to its line.
 * Weighed goods: always a line of their own. Returns the line (borrowed). */
TillCartLine *
till_cart_add_product (TillCart *self, TillProduct *product, gint64 quantity, GError **error);
TillCartLine *till_cart_add_barcode (TillCart *self, const char *barcode, GError **error);
TillCartLine *till_cart_add_plu (TillCart *self, const char *plu, gint64 quantity, GError **error);
gboolean till_cart_set_quantity (TillCart *self, guint position, gint64 quantity, GError **error);
/* Unchecked and unjournaled: for tests and internal use. A cashier's "delete
 * line" goes through till_cart_void_line(), which checks the permission and
 * journals what was voided. */
gboolean till_cart_remove_line (TillCart *self, guint position, GError **error);
gboolean till_cart_clear (TillCart *self, GError **error);

/* Sale control (issue 5). Each act checks @user's permission (or @override, a
 * supervisor's approval) with till_permission_check() inside the one store
 * transaction that changes the journaled cart and appends the act's journal
 * entry (kind in quotes below; JSON body naming the sale, the line, the user
 * and the reason). On any failure nothing changed and nothing was journaled;
 * a refusal is a TILL_PERMISSION_ERROR. Must not be called inside a
 * transaction. */

/* "void-line": the line disappears; the entry records product, quantity,
 * prices, discounts and amount. @reason is required. */
gboolean till_cart_void_line (TillCart           *self,
                              TillJournal        *journal,
                              TillUser           *user,
                              guint               position,
                              const char         *reason,
                              const TillOverride *override,
                              GError            **error);
/* "void-sale": before payment; every line recorded, the cart emptied, and a
 * new sale uuid started. @reason is required. */
gboolean till_cart_void_sale (TillCart           *self,
                              TillJournal        *journal,
                              TillUser           *user,
                              const char         *reason,
                              const TillOverride *override,
                              GError            **error);
/* "price-override": charges @unit_price (fen) instead of the line's price.
 * The amount checked against the user's limit is |new − original| where the
 * original is the price the line was rung up at. @reason is required. */
gboolean till_cart_override_price (TillCart           *self,
                                   TillJournal        *journal,
                                   TillUser           *user,
                                   guint               position,
                                   gint64              unit_price,
                                   const char         *reason,
                                   const TillOverride *override,
                                   GError            **error);
/* "line-discount": @discount_bp basis points off the line (0 removes it). */
gboolean till_cart_set_line_discount (TillCart           *self,
                                      TillJournal        *journal,
                                      TillUser           *user,
                                      guint               position,
                                      int                 discount_bp,
                                      const char         *reason,
                                      const TillOverride *override,
                                      GError            **error);
/* "sale-discount": @discount_bp basis points off the whole sale (0 removes
 * it), or with _amount a fixed number of fen off, checked as the basis points
 * of the current subtotal it comes to (rounded up). The discount in fen is
 * bp × (sum of line amounts after line discounts) / 10000, half-up, or the
 * fixed amount (capped at that sum), and is split across the lines in
 * proportion to those amounts by the largest-remainder rule: each line gets
 * the floor of its share and the fen left over go one each to the lines with
 * the largest remainders (the earlier line first on a tie). The line amounts
 * then add up exactly to the subtotal. */
gboolean till_cart_set_sale_discount (TillCart           *self,
                                      TillJournal        *journal,
                                      TillUser           *user,
                                      int                 discount_bp,
                                      const char         *reason,
                                      const TillOverride *override,
                                      GError            **error);
gboolean till_cart_set_sale_discount_amount (TillCart           *self,
                                             TillJournal        *journal,
                                             TillUser           *user,
                                             gint64              amount,
                                             const char         *reason,
                                             const TillOverride *override,
                                             GError            **error);
/* "quantity-change": like till_cart_set_quantity(), checked and journaled. */
gboolean till_cart_change_quantity (TillCart           *self,
                                    TillJournal        *journal,
                                    TillUser           *user,
                                    guint               position,
                                    gint64              quantity,
                                    const TillOverride *override,
                                    GError            **error);

/* Promotions (see the top of this file). */
/* Reads the promotions again (after a sync pull or a manager's edit) and
 * prices the cart with them. */
gboolean till_cart_reload_promotions (TillCart *self, GError **error);
/* The member the sale is for (NULL: none), their tier (may be NULL) and how
 * often they used each promotion before (code → count as GINT_TO_POINTER,
 * may be NULL; the cart takes a reference). Not journaled: issue 9 keeps
 * the member of the open sale. */
void        till_cart_set_member (TillCart   *self,
                                  const char *member_id,
                                  const char *tier,
                                  GHashTable *member_uses);
const char *till_cart_get_member_id (TillCart *self);
/* Members (issue 9). The key members' data is sealed with, for restoring a
 * journaled cart's member (the session gives it once). */
void till_cart_set_member_key (TillCart *self, TillMemberKey *key);
/* Attaches @member (NULL: detaches) to the open sale at any time before
 * payment: journaled (cart.member_id, so a restored cart keeps its member;
 * writing it to an empty cart starts the journaled cart as a first line
 * does); the member's promotions (till_loyalty_member_promotions: tier
 * discount, member prices, birthday perk) join the store's and the cart is
 * priced again (set_member above, with their uses). */
gboolean till_cart_attach_member (TillCart *self, const TillMember *member, GError **error);
const TillMember *till_cart_get_member (TillCart *self);
/* Presents a coupon for this sale: till_promotion_find_coupon says whether
 * it may be used now (TILL_PROMOTION_ERROR_COUPON with the reason: used,
 * expired, not yet valid; TILL_PROMOTION_ERROR_NO_COUPON: no coupon has this
 * code), TILL_CART_ERROR_COUPON when it is already on the sale. Journaled
 * (cart_coupon). Whether it applies (its minimum spend) is the engine's to
 * say: till_cart_get_pricing. Returns (transfer full) a copy of the
 * coupon's promotion, for its name. */
TillPromotion *
till_cart_add_coupon (TillCart *self, const char *code, GError **error) G_GNUC_WARN_UNUSED_RESULT;
gboolean till_cart_remove_coupon (TillCart *self, const char *code, GError **error);
/* (transfer none): the normalized codes presented, in order; never NULL */
const char *const *till_cart_get_coupons (TillCart *self);
/* (transfer none): the last pricing of the cart; never NULL. Its lines are
 * the cart's lines that take promotions, by line_no = position + 1. */
const TillPricingResult *till_cart_get_pricing (TillCart *self);
/* (transfer none) (nullable): the promotion the cart prices with under
 * @code (the store's or the attached member's): a gift's name, a coupon's
 * code to redeem or minimum spend. */
const TillPromotion *till_cart_find_promotion (TillCart *self, const char *code);
/* (transfer none) (nullable): the coupon promotion a code in
 * till_cart_get_coupons() stands for (a member coupon's own code too). */
const TillPromotion *till_cart_find_coupon_promotion (TillCart *self, const char *coupon);
/* Σ promotion discount over the lines, fen */
gint64 till_cart_get_promotion_saving (TillCart *self);

guint         till_cart_get_n_lines (TillCart *self);
TillCartLine *till_cart_get_line (TillCart *self, guint position);
gint64        till_cart_get_subtotal (TillCart *self);
gint64        till_cart_get_rounding (TillCart *self);
gint64        till_cart_get_total (TillCart *self);
gint64        till_cart_get_item_count (TillCart *self);
/* The whole-sale discount: as set (one of the two is 0), and in fen as split. */
int          till_cart_get_sale_discount_bp (TillCart *self);
gint64       till_cart_get_sale_discount_amount (TillCart *self);
gint64       till_cart_get_sale_discount (TillCart *self);
TillRounding till_cart_get_rounding_rule (TillCart *self);
void         till_cart_set_rounding_rule (TillCart *self, TillRounding rule);

/* For the sale commit only: inside the commit's transaction, delete the journaled
 * cart rows; after the commit, start a new empty cart with a new sale uuid. */
gboolean _till_cart_delete_journal (TillCart *self, GError **error);
void     _till_cart_reset (TillCart *self);
/* TILL_CART_ERROR_CAPTURED when tenders that moved money (card, QR wallet)
 * are applied to the cart's sale (cart_tender): voiding or holding it would
 * leave the customer's money taken. */
gboolean _till_cart_check_no_captured (TillCart *self, GError **error);

/* For held sales: inside the caller's transaction, replaces the journaled cart
 * with @lines (TillCartLine) under @sale_uuid; till_cart_restore() after the
 * commit brings it on screen. */
gboolean _till_cart_write_journal (TillCart   *self,
                                   const char *sale_uuid,
                                   gint64      started_us,
                                   GPtrArray  *lines,
                                   int         sale_discount_bp,
                                   gint64      sale_discount_amount,
                                   GError    **error);
gint64   _till_cart_get_started_us (TillCart *self);

/* Appends "lines":[...] describing every line, for journal bodies. */
void _till_cart_append_lines_json (TillCart *self, GString *out);
/* Canonical JSON members for journal bodies: a comma first unless the object
 * or array just opened. */
void _till_json_add_string (GString *out, const char *key, const char *value);
void _till_json_add_int (GString *out, const char *key, gint64 value);
void _till_json_add_user (GString *out, TillUser *user);

G_END_DECLS
