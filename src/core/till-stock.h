/* till-stock.h: stock per store (进销存): movements, limits, receiving,
 * stocktake and transfers
 *
 * A product's stock is the sum of its movements (table stock_move, which is
 * never changed); stock_level holds that sum per product and location, kept
 * by a trigger in the same statement, so reading a level is one row. Every
 * act here (receiving, adjustment, damage, stocktake, transfer) writes its
 * document, its movements, a journal entry and an outbox document for HQ in
 * one transaction, after the permission check, and names who did it.
 * Quantities are thousandths (weighed goods in grams), costs fen per unit
 * (per kg for weighed goods).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib-object.h>

#include "till-permission.h"
#include "till-types.h"

G_BEGIN_DECLS

#define TILL_STOCK_ERROR (till_stock_error_quark ())

typedef enum
{
  TILL_STOCK_ERROR_FAILED,
  TILL_STOCK_ERROR_INVALID, /* a zero or negative quantity, a negative cost, no lines, no reason */
  TILL_STOCK_ERROR_NOT_FOUND, /* no such product, order, stocktake or transfer */
  TILL_STOCK_ERROR_STATE,     /* an order already received or cancelled, a posted stocktake… */
  TILL_STOCK_ERROR_LIMITS,    /* a lower limit above the upper one */
  TILL_STOCK_ERROR_COUNTING,  /* a stocktake is already counting (one at a time) */
} TillStockError;

GQuark till_stock_error_quark (void);

/* Why stock moved, as stock_move.reason holds it. */
typedef enum
{
  TILL_STOCK_REASON_SALE,         /* "sale" (till-sale.c) */
  TILL_STOCK_REASON_RETURN,       /* "return" (till-return.c) */
  TILL_STOCK_REASON_POINTS_GIFT,  /* "points-gift" (till-loyalty.c) */
  TILL_STOCK_REASON_RECEIVING,    /* "receiving": goods in from a supplier (进货) */
  TILL_STOCK_REASON_ADJUSTMENT,   /* "adjustment": a manager's correction with a reason */
  TILL_STOCK_REASON_STOCKTAKE,    /* "stocktake": a posted count's variance (盘点) */
  TILL_STOCK_REASON_TRANSFER_OUT, /* "transfer-out": sent to another store (调出) */
  TILL_STOCK_REASON_TRANSFER_IN,  /* "transfer-in": received from another store (调入) */
  TILL_STOCK_REASON_DAMAGE,       /* "damage": written off as damaged or expired (报损) */
} TillStockReason;

const char *till_stock_reason_to_string (TillStockReason reason);
gboolean    till_stock_reason_from_string (const char *text, TillStockReason *out_reason);
const char *till_stock_reason_get_label (TillStockReason reason); /* translated */

/* A product's limits; lower and upper are -1 when not set. lead_time_days
 * and pack_size (thousandths: the supplier's case) feed reorder
 * suggestions. */
typedef struct
{
  gint64 lower;
  gint64 upper;
  int    lead_time_days;
  gint64 pack_size;
  char  *supplier; /* NULL when none */
} TillStockLimits;

void till_stock_limits_clear (TillStockLimits *limits);

typedef enum
{
  TILL_STOCK_ALERT_NONE,
  TILL_STOCK_ALERT_LOW,  /* at or below the lower limit (includes out of stock) */
  TILL_STOCK_ALERT_OVER, /* above the upper limit */
} TillStockAlert;

/* One product's stock as a manager reads it. */
typedef struct
{
  gint64          product_id;
  char           *sku;
  char           *name;
  char           *unit;
  gboolean        weighed;
  gint64          category_id;
  gint64          level;   /* saleable stock ("stock" location), thousandths */
  gint64          damaged; /* in the "damaged" location */
  gint64          cost;    /* the product's current cost, fen per unit */
  TillStockLimits limits;
  TillStockAlert  alert;
  gint64          last_sale_us; /* 0: never sold */
} TillStockItem;

void till_stock_item_free (TillStockItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillStockItem, till_stock_item_free)

/* The saleable stock of @product_id (thousandths; 0 when it never moved). */
gint64 till_stock_get_level (TillStore *store, gint64 product_id, GError **error);

/* One product's stock (TILL_STOCK_ERROR_NOT_FOUND for an unknown product). */
TillStockItem *till_stock_get_item (TillStore *store, gint64 product_id, GError **error);

/* Active products' stock, by SKU. @query (NULL: all) matches SKU, name, pinyin
 * or barcode as the catalog's search does; @category_id 0 for all. */
GPtrArray *till_stock_list (
    TillStore *store, const char *query, gint64 category_id, guint limit, GError **error);

/* Active products at or below their lower limit, then those above their upper
 * one (TillStockItem), lowest level relative to its limit first. */
GPtrArray *till_stock_list_alerts (TillStore *store, GError **error);

/* How many products are low and over, for the home screen's badge. */
gboolean
till_stock_count_alerts (TillStore *store, guint *out_low, guint *out_over, GError **error);

/* Slow movers: active products with stock whose last sale is older than
 * @days days before @now_us (or that never sold), oldest last sale first. */
GPtrArray *till_stock_list_slow_movers (
    TillStore *store, int days, gint64 now_us, guint limit, GError **error);

gboolean till_stock_get_limits (TillStore       *store,
                                gint64           product_id,
                                TillStockLimits *out_limits,
                                GError         **error);

/* Sets a product's limits (MANAGE_STOCK). A lower limit above the upper one
 * is TILL_STOCK_ERROR_LIMITS. Journaled ("stock-limits"). */
gboolean till_stock_set_limits (TillStore             *store,
                                TillJournal           *journal,
                                TillUser              *user,
                                gint64                 product_id,
                                const TillStockLimits *limits,
                                const TillOverride    *override,
                                GError               **error);

/* One movement as it happened, for a product's history. */
typedef struct
{
  gint64          id;
  gint64          product_id;
  gint64          delta;
  TillStockReason reason;
  char           *location; /* "stock" or "damaged" */
  char           *ref_uuid; /* the sale, return, receipt, stocktake or transfer */
  char           *user_code;
  gint64          unit_cost; /* -1 when the movement carries none */
  gint64          created_us;
} TillStockMove;

void till_stock_move_free (TillStockMove *move);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillStockMove, till_stock_move_free)

/* A product's movements, newest first. */
GPtrArray *till_stock_list_moves (TillStore *store, gint64 product_id, guint limit, GError **error);

/* A line of a purchase order, goods receipt or transfer. */
typedef struct
{
  gint64 product_id;
  gint64 quantity;  /* thousandths, > 0 */
  gint64 unit_cost; /* fen per unit, ≥ 0; -1: the product's current cost */
  gint64 received;  /* purchase orders only: received so far */
} TillStockLine;

/* An adjustment (ADJUSTMENT: ±@delta with a @reason text) or a write-off
 * (DAMAGE: @delta < 0 leaves "stock"). MANAGE_STOCK. Returns the movement's
 * ref uuid. */
char *till_stock_adjust (TillStore          *store,
                         TillJournal        *journal,
                         TillUser           *user,
                         gint64              product_id,
                         gint64              delta,
                         TillStockReason     reason,
                         const char         *note,
                         const TillOverride *override,
                         GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* Purchase orders (采购单). */
typedef enum
{
  TILL_PURCHASE_ORDER_OPEN,
  TILL_PURCHASE_ORDER_PARTIAL, /* some lines received */
  TILL_PURCHASE_ORDER_RECEIVED,
  TILL_PURCHASE_ORDER_CANCELLED,
} TillPurchaseOrderState;

typedef struct
{
  char                  *uuid;
  gint64                 po_no;
  char                  *supplier;
  TillPurchaseOrderState state;
  char                  *expected_day; /* "YYYY-MM-DD" or NULL */
  char                  *note;
  gint64                 created_us;
  char                  *created_by;
  GArray                *lines; /* TillStockLine */
} TillPurchaseOrder;

void till_purchase_order_free (TillPurchaseOrder *order);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillPurchaseOrder, till_purchase_order_free)

/* Creates an open purchase order (MANAGE_STOCK); "purchase-order" journal
 * entry and outbox document. Returns its uuid. */
char *till_stock_create_purchase_order (TillStore           *store,
                                        TillJournal         *journal,
                                        TillUser            *user,
                                        const char          *supplier,
                                        const char          *expected_day,
                                        const TillStockLine *lines,
                                        guint                n_lines,
                                        const TillOverride  *override,
                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;
TillPurchaseOrder *
till_stock_load_purchase_order (TillStore *store, const char *uuid, GError **error);
/* Open and partly received orders first, newest first. */
GPtrArray *till_stock_list_purchase_orders (TillStore *store, gboolean open_only, GError **error);
gboolean   till_stock_cancel_purchase_order (TillStore          *store,
                                             TillJournal        *journal,
                                             TillUser           *user,
                                             const char         *uuid,
                                             const TillOverride *override,
                                             GError            **error);

/* Receiving (进货): goods in, against @po_uuid (NULL: without an order) at
 * the costs given. Against an order each line's product must be on it; the
 * order's received quantities go up and it becomes partial or received.
 * Writes goods_receipt, its lines, "receiving" movements with their cost,
 * sets each product's cost to the received one (last cost), a "receiving"
 * journal entry and outbox document. MANAGE_STOCK. Returns the receipt's
 * uuid. */
char *till_stock_receive (TillStore           *store,
                          TillJournal         *journal,
                          TillUser            *user,
                          const char          *po_uuid,
                          const char          *supplier,
                          const TillStockLine *lines,
                          guint                n_lines,
                          const TillOverride  *override,
                          GError             **error) G_GNUC_WARN_UNUSED_RESULT;

/* Stocktake (盘点): one at a time, over all products or a category (with its
 * subcategories). Counts are scanned in while the store goes on selling: a
 * product's expected quantity is its stock at the moment it was last
 * counted, so sales after the count are not variances. Posting
 * (STOCKTAKE) writes one "stocktake" movement per product whose count
 * differs, the counts and expectations, and a journal entry and outbox
 * document; products in scope that were never counted are left alone and
 * listed as uncounted. */
typedef struct
{
  gint64 product_id;
  char  *sku;
  char  *name;
  char  *unit;
  gint64 counted;  /* -1: not counted */
  gint64 expected; /* book stock at the count (now, when not counted) */
  gint64 variance; /* counted − expected; 0 when not counted */
  gint64 cost;     /* fen per unit, for the variance's value */
  gint64 counted_us;
} TillStocktakeLine;

void till_stocktake_line_free (TillStocktakeLine *line);

typedef struct
{
  char      *uuid;
  gint64     stocktake_no;
  gboolean   posted;
  gint64     category_id; /* 0: every product */
  gint64     started_us;
  char      *started_by;
  gint64     posted_us;
  GPtrArray *lines;          /* TillStocktakeLine, counted first, by SKU */
  gint64     variance_value; /* Σ variance × cost, fen */
  guint      n_counted;
  guint      n_uncounted;
} TillStocktake;

void till_stocktake_free (TillStocktake *stocktake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillStocktake, till_stocktake_free)

/* Starts a stocktake (TILL_STOCK_ERROR_COUNTING when one is counting).
 * Returns its uuid. */
char *till_stock_begin_stocktake (TillStore   *store,
                                  TillJournal *journal,
                                  TillUser    *user,
                                  gint64       category_id,
                                  GError     **error) G_GNUC_WARN_UNUSED_RESULT;
/* The stocktake counting now, NULL (no error) when none. */
char *till_stock_get_counting_stocktake (TillStore *store, GError **error);
/* Records a count for a product: @add TRUE adds @quantity to what was
 * counted so far (each scan of a unit adds 1000), FALSE sets it. A product
 * outside the stocktake's category is TILL_STOCK_ERROR_INVALID. */
gboolean till_stock_count (TillStore  *store,
                           const char *stocktake_uuid,
                           gint64      product_id,
                           gint64      quantity,
                           gboolean    add,
                           gint64      now_us,
                           GError    **error);
/* The stocktake with its variance report. */
TillStocktake *till_stock_load_stocktake (TillStore *store, const char *uuid, GError **error);
gboolean       till_stock_post_stocktake (TillStore          *store,
                                          TillJournal        *journal,
                                          TillUser           *user,
                                          const char         *uuid,
                                          const TillOverride *override,
                                          GError            **error);
gboolean       till_stock_cancel_stocktake (
          TillStore *store, TillJournal *journal, TillUser *user, const char *uuid, GError **error);

/* Transfers (调拨) between stores: out sends goods to @other_store
 * ("transfer-out" movements at the product's cost); in receives them,
 * naming the sending store's transfer number in @reference. Each is a
 * "transfer" outbox document HQ pairs by reference. MANAGE_STOCK. Returns
 * the transfer's uuid. */
typedef enum
{
  TILL_TRANSFER_OUT,
  TILL_TRANSFER_IN,
} TillTransferDirection;

char *till_stock_transfer (TillStore            *store,
                           TillJournal          *journal,
                           TillUser             *user,
                           TillTransferDirection direction,
                           const char           *other_store,
                           const char           *reference,
                           const TillStockLine  *lines,
                           guint                 n_lines,
                           const TillOverride   *override,
                           GError              **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
