/* till-held-sale.h: sales suspended at this till, to be resumed later
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

#define TILL_HELD_SALE_ERROR (till_held_sale_error_quark ())

typedef enum
{
  TILL_HELD_SALE_ERROR_FAILED,
  TILL_HELD_SALE_ERROR_EMPTY,     /* nothing in the cart to suspend */
  TILL_HELD_SALE_ERROR_NOT_EMPTY, /* resuming into a cart that has lines */
  TILL_HELD_SALE_ERROR_NOT_FOUND, /* no held sale with that id (resumed already?) */
} TillHeldSaleError;

/* One held sale as listed for the cashier to pick. Held sales are rows in the
 * store (held_sale, held_sale_line) and survive a restart; they are never
 * deleted except by resuming them. */
typedef struct
{
  gint64   id;
  char    *sale_uuid;
  gint64   held_us; /* when it was suspended, µs since the epoch */
  char    *business_day;
  char    *cashier_code;
  char    *cashier_name;
  gint64   item_count;
  guint    n_lines;
  gint64   total; /* fen, after discounts and 抹零 at the time of suspending */
  gboolean stale; /* held on an earlier business day: show a warning */
} TillHeldSale;

GQuark till_held_sale_error_quark (void);
void   till_held_sale_free (TillHeldSale *held);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillHeldSale, till_held_sale_free)

/* Suspends the cart with TILL_PERMISSION_SUSPEND_SALE: lines (as priced, with
 * overrides and discounts) and the whole-sale discount go into held_sale rows,
 * a "suspend-sale" journal entry records them, and the cart starts a new sale.
 * Returns the held sale's id, or 0 with @error set. */
gint64 till_held_sale_suspend (TillCart           *cart,
                               TillJournal        *journal,
                               TillUser           *user,
                               const TillOverride *override,
                               GError            **error);
/* The held sales, oldest first (TillHeldSale, free with the array). */
GPtrArray *till_held_sale_list (TillStore *store, GError **error);
/* Resumes held sale @held_id into @cart, which must be empty (else
 * TILL_HELD_SALE_ERROR_NOT_EMPTY): same sale uuid, lines restored exactly as
 * held (prices at suspend time, not today's catalog). Checks
 * TILL_PERMISSION_SUSPEND_SALE; journals "resume-sale"; the held rows go. */
gboolean till_held_sale_resume (TillCart           *cart,
                                TillJournal        *journal,
                                TillUser           *user,
                                gint64              held_id,
                                const TillOverride *override,
                                GError            **error);

G_END_DECLS
