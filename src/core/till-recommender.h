/* till-recommender.h: "customers also buy": up to three suggestions at
 * checkout for a member, from their own history and from what this store's
 * customers buy together
 *
 * Trained on the till from its own sales (sale_line) over a window: product
 * popularity, pairs bought together (association rules: support, confidence
 * and lift of "A → B"), and each member's purchases. A suggestion is never
 * a product already in the cart, nor one that is not sold any more. The
 * model lives in memory; training 90 days of a busy store takes well under
 * a second (tests/bench/bench-recommender.c also measures the hit rate on
 * held-out sales against a popularity baseline).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-types.h"

G_BEGIN_DECLS

typedef enum
{
  TILL_SUGGESTION_BOUGHT_TOGETHER, /* bought with something in the cart */
  TILL_SUGGESTION_MEMBER_HISTORY,  /* the member buys it often */
  TILL_SUGGESTION_POPULAR,         /* the store's best sellers (to fill up) */
} TillSuggestionReason;

typedef struct
{
  gint64               product_id;
  TillSuggestionReason reason;
  double               score; /* for ordering only */
} TillSuggestion;

#define TILL_TYPE_RECOMMENDER (till_recommender_get_type ())
G_DECLARE_FINAL_TYPE (TillRecommender, till_recommender, TILL, RECOMMENDER, GObject)

TillRecommender *till_recommender_new (TillStore *store) G_GNUC_WARN_UNUSED_RESULT;
/* Learns from the sales recorded in [@since_us, @until_us). Replaces what
 * was learnt before. */
gboolean
till_recommender_train (TillRecommender *self, gint64 since_us, gint64 until_us, GError **error);
/* At most @limit suggestions (TillSuggestion, best first) for a cart holding
 * @cart_products (@n_cart product ids) and the member @member_id (NULL:
 * none): the member's frequent products first, then bought-together ones,
 * then popular ones only when @fill_popular. Never fails: an untrained
 * recommender suggests nothing. */
GArray *till_recommender_suggest (TillRecommender *self,
                                  const char      *member_id,
                                  const gint64    *cart_products,
                                  guint            n_cart,
                                  guint            limit,
                                  gboolean         fill_popular) G_GNUC_WARN_UNUSED_RESULT;
/* The popularity baseline alone, for the bench. */
GArray *till_recommender_suggest_popular (TillRecommender *self,
                                          const gint64    *cart_products,
                                          guint            n_cart,
                                          guint            limit) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
