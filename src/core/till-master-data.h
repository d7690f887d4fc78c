/* till-master-data.h: master data pulled from HQ, applied one page at a time
 *
 * Every page of a channel (categories, items, prices, users, settings,
 * promotions, members: see sync/till-wire.h for what their rows hold) is
 * applied with its cursor in ONE transaction, so a till killed mid-pull
 * resumes at the page it had not finished and never holds half a page. The
 * rows are kept as HQ sent them (table master_row, JSON text) and then
 * materialized into the till's own tables: category, product and barcode,
 * user, setting. Promotions and members stay in master_row for the modules
 * that will read them. A full reload (HQ answered 410, or the drift check
 * failed) fills master_shadow page by page and swaps it in with the last
 * page. The core reads the JSON with SQLite's JSON functions: no JSON library.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_MASTER_DATA_ERROR (till_master_data_error_quark ())

typedef enum
{
  TILL_MASTER_DATA_ERROR_FAILED,
  TILL_MASTER_DATA_ERROR_CHANNEL, /* not a channel this till knows */
  TILL_MASTER_DATA_ERROR_ROW,     /* a row that cannot be applied (the page is not applied) */
} TillMasterDataError;

GQuark till_master_data_error_quark (void);

typedef struct
{
  const char *id;
  const char *scope; /* "all", "group:<id>", "store:<id>" */
  gint64      version;
  const char *data_json; /* the row's object as JSON text; NULL for a tombstone */
} TillMasterRow;

/* Where the channel's pull stands: its cursor (0 = never pulled) and
 * whether a full reload is under way. */
gint64   till_master_data_get_cursor (TillStore *store, const char *channel, GError **error);
gboolean till_master_data_is_reloading (TillStore *store, const char *channel);

/* Starts a full reload of @channel: the next pages (from cursor 0) go to the
 * shadow copy until the last one swaps it in. */
gboolean till_master_data_begin_reload (TillStore *store, const char *channel, GError **error);

/* Applies one page and its cursor in one transaction. Upserts apply only when
 * the incoming version is newer than the one held. On the last page
 * (@has_more FALSE) of a reload the shadow copy replaces the channel (items
 * and users that HQ no longer sends become inactive, never deleted: sales
 * refer to them). When @total ≥ 0 and the rows held for the channel do not
 * number @total, *out_drift is set: the caller starts a reload.
 * A row that cannot be applied (a user with an unknown role or another PIN
 * KDF, an item without a name, a setting the till keeps for itself) fails
 * the page with TILL_MASTER_DATA_ERROR_ROW naming the row; nothing of the page
 * is applied. */
gboolean till_master_data_apply_page (TillStore           *store,
                                      const char          *channel,
                                      const TillMasterRow *rows,
                                      guint                n_rows,
                                      gint64               next_cursor,
                                      gboolean             has_more,
                                      gint64               total,
                                      gint64               now_us,
                                      gboolean            *out_drift,
                                      GError             **error);

/* Sets every HQ item's price and member price to what applies at @now_us
 * (prices are effective-dated and shipped ahead, so an offline till switches
 * at the right instant). *out_next_change_us is the next instant a price
 * changes (G_MAXINT64 when none is scheduled). Runs after each pull of items
 * or prices and at that instant. Returns how many products changed, or -1. */
gint64 till_master_data_apply_prices (TillStore *store,
                                      gint64     now_us,
                                      gint64    *out_next_change_us,
                                      GError   **error);

G_END_DECLS
