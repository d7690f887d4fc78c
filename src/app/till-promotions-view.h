/* till-promotions-view.h: the manager's screen for promotions (促销活动):
 * the list of HQ's and the till's own, and the form that edits the till's own
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gtk/gtk.h>

#include "till-session.h"

G_BEGIN_DECLS

/* Signal: "closed": the manager is done (Back).
 * Actions (each change checked, validated and journaled by the core, errors
 * shown on the screen): promotions.close, promotions.new,
 * promotions.edit(s: code), promotions.override(s: code of one of HQ's: a
 * new till-local copy), promotions.delete(s: code; asks first),
 * promotions.confirm-delete, promotions.cancel-delete, promotions.save,
 * promotions.cancel, promotions.add-tier, promotions.remove-tier(u: index),
 * promotions.add-bundle-item, promotions.remove-bundle-item(u: index). */
#define TILL_TYPE_PROMOTIONS_VIEW (till_promotions_view_get_type ())
G_DECLARE_FINAL_TYPE (TillPromotionsView, till_promotions_view, TILL, PROMOTIONS_VIEW, GtkWidget)

void till_promotions_view_set_session (TillPromotionsView *self, TillSession *session);
/* Back to the list, forgetting a half-filled form; read-only for a user who
 * may not manage promotions. */
void till_promotions_view_reset (TillPromotionsView *self);

/* For tests: what the screen shows. */
const char *till_promotions_view_get_page (TillPromotionsView *self); /* "list" or "form" */
const char *till_promotions_view_get_message (TillPromotionsView *self, gboolean *out_is_error);
gboolean    till_promotions_view_get_read_only (TillPromotionsView *self);
guint       till_promotions_view_get_n_rows (TillPromotionsView *self);
/* The list row of @code from @hq or the till: its texts joined by "\n" (name,
 * kind · summary, source badge, state), NULL when not listed. */
char *till_promotions_view_dup_row_text (TillPromotionsView *self, const char *code, gboolean hq);
/* A form field by name: "code", "name", "kind", "priority", "stacking",
 * "group", "threshold-mode", "tier-min:N", "tier-off:N", "every-amount",
 * "every-off", "percent", "fixed-price", "gift-sku", "gift-quantity", "buy",
 * "get", "nth", "mix-quantity", "mix-price", "bundle-sku:N",
 * "bundle-quantity:N", "bundle-price", "coupon-code", "amount-off",
 * "multi-use", "skus", "categories", "brands", "excluded", "from", "until",
 * "weekday:1".."weekday:7", "windows", "member-only", "member-tiers",
 * "min-quantity", "min-amount", "per-sale", "per-member", "stores",
 * "store-groups"; NULL when there is none. */
GtkWidget *till_promotions_view_get_field (TillPromotionsView *self, const char *name);

G_END_DECLS
