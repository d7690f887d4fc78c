/* till-stock-view.c: the stock page of the back office (进销存)
 *
 * Five sections, one at a time: stock levels with the tapped product's
 * movements, limits and adjustments; receiving; stocktake by scanning;
 * transfers between stores; reorder suggestions and purchase orders. The
 * page holds no stock of its own: every figure is read from the core again
 * after each act, and every act is one core call (till-stock.h) done from a
 * "stock.*" action. A refusal for want of a permission asks for a
 * supervisor's approval and repeats the same call with it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-stock-view"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-stock-view.h"
#include "till-ui-util.h"

/* How many rows the stock list shows at most: the search narrows it. */
#define STOCK_LIST_LIMIT 200
#define MOVES_LIMIT 60
/* A product unsold this long with stock on hand is a slow mover. */
#define SLOW_MOVER_DAYS 30
/* Reorder suggestions learn from this much history and cover this many days
 * beyond the lead time. */
#define REORDER_HISTORY_DAYS 120
#define REORDER_COVER_DAYS 7

typedef enum
{
  LIST_STOCK,
  LIST_MOVES,
  LIST_RECEIVE,
  LIST_TRANSFER,
  LIST_COUNTS,
  LIST_REORDER,
  LIST_ORDERS,
  N_LISTS,
} ListId;

static const char *const list_names[N_LISTS] = {
  "stock", "moves", "receive", "transfer", "counts", "reorder", "orders",
};

/* A column of a list: its heading, its width in pixels (0: takes the rest)
 * and whether it holds figures (right-aligned). */
typedef struct
{
  const char *title;
  int         width;
  gboolean    numeric;
} Column;

typedef struct
{
  const Column *columns;
  guint         n_columns;
} ListSpec;

static const Column stock_columns[] = {
  { N_ ("SKU"), 110, FALSE },   { N_ ("Product"), 0, FALSE },  { N_ ("Stock"), 110, TRUE },
  { N_ ("Limits"), 110, TRUE }, { N_ ("Status"), 120, FALSE },
};
static const Column moves_columns[] = {
  { N_ ("When"), 110, FALSE },
  { N_ ("Why"), 0, FALSE },
  { N_ ("Qty"), 90, TRUE },
  { N_ ("Who"), 60, FALSE },
};
static const Column receive_columns[] = {
  { N_ ("Product"), 0, FALSE },
  { N_ ("Qty"), 140, FALSE },
  { N_ ("Unit cost (yuan)"), 140, FALSE },
  { "", 56, FALSE },
};
static const Column transfer_columns[] = {
  { N_ ("Product"), 0, FALSE },
  { N_ ("Qty"), 140, FALSE },
  { "", 56, FALSE },
};
static const Column counts_columns[] = {
  { N_ ("SKU"), 110, FALSE },     { N_ ("Product"), 0, FALSE },   { N_ ("Counted"), 110, TRUE },
  { N_ ("Expected"), 110, TRUE }, { N_ ("Variance"), 110, TRUE }, { N_ ("Value"), 120, TRUE },
};
static const Column reorder_columns[] = {
  { N_ ("Product"), 0, FALSE },  { N_ ("Stock"), 90, TRUE },      { N_ ("On order"), 90, TRUE },
  { N_ ("Forecast"), 90, TRUE }, { N_ ("Suggested"), 100, TRUE }, { N_ ("Supplier"), 160, FALSE },
  { N_ ("Method"), 150, FALSE },
};
static const Column orders_columns[] = {
  { N_ ("Order"), 110, FALSE }, { N_ ("Supplier"), 0, FALSE },  { N_ ("State"), 120, FALSE },
  { N_ ("Lines"), 80, TRUE },   { N_ ("Created"), 130, FALSE },
};

static const ListSpec list_specs[N_LISTS] = {
  { stock_columns, G_N_ELEMENTS (stock_columns) },
  { moves_columns, G_N_ELEMENTS (moves_columns) },
  { receive_columns, G_N_ELEMENTS (receive_columns) },
  { transfer_columns, G_N_ELEMENTS (transfer_columns) },
  { counts_columns, G_N_ELEMENTS (counts_columns) },
  { reorder_columns, G_N_ELEMENTS (reorder_columns) },
  { orders_columns, G_N_ELEMENTS (orders_columns) },
};

/* One cell of a row: its text and an optional style class ("error" red,
 * "warning" amber, "dim-label"). */
typedef struct
{
  const char *text;
  const char *css;
} Cell;

/* A line being keyed for receiving or a transfer. */
typedef struct
{
  gint64     product_id;
  char      *name;
  GtkWidget *row;
  GtkWidget *quantity_entry;
  GtkWidget *cost_entry; /* NULL for transfers */
} EditLine;

typedef enum
{
  ACT_SAVE_LIMITS,
  ACT_ADJUST,
  ACT_RECEIVE,
  ACT_POST_STOCKTAKE,
  ACT_TRANSFER,
  ACT_CREATE_ORDERS,
} ActKind;

/* What an act needs, taken when it starts, so that an approval repeats
 * exactly the call that was refused. */
typedef struct
{
  ActKind               kind;
  gint64                product_id;
  TillStockLimits       limits;
  gint64                delta;
  TillStockReason       reason;
  char                 *text;      /* the adjustment's reason, the supplier, the other store */
  char                 *uuid;      /* the purchase order received against, the stocktake */
  char                 *reference; /* the sending store's transfer number */
  TillTransferDirection direction;
  GArray               *lines; /* TillStockLine */
} StockAct;

static void
stock_act_free (StockAct *act)
{
  till_stock_limits_clear (&act->limits);
  g_free (act->text);
  g_free (act->uuid);
  g_free (act->reference);
  g_clear_pointer (&act->lines, g_array_unref);
  g_free (act);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StockAct, stock_act_free)

struct _TillStockView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget *message_label;
  GtkWidget *section_stack;
  GtkWidget *search_entry;
  GtkWidget *stock_header;
  GtkWidget *stock_list;
  GtkWidget *stock_count_label;
  GtkWidget *detail_stack;
  GtkWidget *detail_title;
  GtkWidget *detail_level;
  GtkWidget *lower_entry;
  GtkWidget *upper_entry;
  GtkWidget *lead_entry;
  GtkWidget *pack_entry;
  GtkWidget *supplier_entry;
  GtkWidget *delta_entry;
  GtkWidget *reason_entry;
  GtkWidget *moves_header;
  GtkWidget *moves_list;
  GtkWidget *order_drop;
  GtkWidget *receive_supplier_entry;
  GtkWidget *receive_scan_entry;
  GtkWidget *receive_header;
  GtkWidget *receive_list;
  GtkWidget *receive_result_label;
  GtkWidget *stocktake_stack;
  GtkWidget *category_drop;
  GtkWidget *stocktake_title;
  GtkWidget *count_scan_entry;
  GtkWidget *count_entry;
  GtkWidget *last_count_label;
  GtkWidget *counts_header;
  GtkWidget *counts_list;
  GtkWidget *stocktake_summary;
  GtkWidget *direction_drop;
  GtkWidget *other_store_entry;
  GtkWidget *reference_entry;
  GtkWidget *transfer_scan_entry;
  GtkWidget *transfer_header;
  GtkWidget *transfer_list;
  GtkWidget *transfer_result_label;
  GtkWidget *transfer_button;
  GtkWidget *reorder_summary;
  GtkWidget *reorder_header;
  GtkWidget *reorder_list;
  GtkWidget *orders_header;
  GtkWidget *orders_list;

  TillSession *session;
  char        *filter; /* all, alerts, low, over, slow */
  char        *message;
  gint64       selected_id; /* the product in the detail; 0: none */
  GPtrArray   *row_texts[N_LISTS];
  GPtrArray   *receive_lines;  /* EditLine */
  GPtrArray   *transfer_lines; /* EditLine */
  GPtrArray   *open_orders;    /* TillPurchaseOrder, as the order drop-down lists them */
  GArray      *category_ids;   /* gint64, as the category drop-down lists them */
  GPtrArray   *suggestions;    /* TillReorderSuggestion */
  char        *stocktake_uuid; /* the stocktake counting, NULL when none */
  char        *last_count_code;
  gboolean     filling_orders;

  TillOverrideDialog *override_dialog;
  StockAct           *pending; /* the act the override dialog is for */
};

G_DEFINE_FINAL_TYPE (TillStockView, till_stock_view, GTK_TYPE_WIDGET)

enum
{
  PROP_0,
  PROP_FILTER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh_stock_list (TillStockView *self);
static void show_detail (TillStockView *self);
static void load_stocktake (TillStockView *self);
static void load_orders (TillStockView *self);
static void load_open_orders (TillStockView *self);

/* ---- Small helpers ----------------------------------------------------------- */

static void
set_message (TillStockView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->message_label, *self->message != '\0');
  gtk_widget_remove_css_class (self->message_label, "status-error");
  gtk_widget_remove_css_class (self->message_label, "status-info");
  gtk_widget_add_css_class (self->message_label, is_error ? "status-error" : "status-info");
}

static void
show_error (TillStockView *self, const GError *error)
{
  set_message (self, error->message, TRUE);
}

static TillStore *
get_store (TillStockView *self)
{
  return till_session_get_store (self->session);
}

static TillJournal *
get_journal (TillStockView *self)
{
  return till_session_get_journal (self->session);
}

static TillUser *
get_user (TillStockView *self)
{
  return self->session != NULL ? till_session_get_user (self->session) : NULL;
}

/* Every act needs someone signed in; the core checks the rest. */
static gboolean
check_signed_in (TillStockView *self)
{
  if (get_user (self) != NULL)
    return TRUE;
  set_message (self, _ ("Sign in first."), TRUE);
  return FALSE;
}

static char *
entry_text (GtkWidget *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
}

static void
set_entry_text (GtkWidget *entry, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
}

static gboolean G_GNUC_PRINTF (2, 3) form_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

/* "3 瓶" for counted goods, "0.532 kg" for weighed ones. */
static char *
format_stock (gint64 quantity, gboolean weighed, const char *unit)
{
  g_autofree char *number = till_ui_format_quantity (quantity, weighed);

  if (weighed || unit == NULL || *unit == '\0')
    return g_steal_pointer (&number);
  return g_strdup_printf ("%s %s", number, unit);
}

/* "+3" and "-1.5": a change shows its sign. */
static char *
format_delta (gint64 delta)
{
  g_autofree char *number = till_quantity_format (delta);

  return delta > 0 ? g_strconcat ("+", number, NULL) : g_steal_pointer (&number);
}

/* "5 – 20", "≥ 5", "≤ 20" or "–" for a product's limits. */
static char *
format_limits (const TillStockLimits *limits)
{
  g_autofree char *lower = limits->lower >= 0 ? till_quantity_format (limits->lower) : NULL;
  g_autofree char *upper = limits->upper >= 0 ? till_quantity_format (limits->upper) : NULL;

  if (lower != NULL && upper != NULL)
    return g_strdup_printf ("%s – %s", lower, upper);
  if (lower != NULL)
    return g_strdup_printf ("≥ %s", lower);
  if (upper != NULL)
    return g_strdup_printf ("≤ %s", upper);
  return g_strdup ("–");
}

static char *
format_time (gint64 us, const char *format)
{
  g_autoptr (GDateTime) local = g_date_time_new_from_unix_local (us / G_USEC_PER_SEC);

  return local != NULL ? g_date_time_format (local, format) : g_strdup ("");
}

static char *
today_text (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* The variance's value in fen: thousandths × fen per unit, rounded half
 * away from zero, in integers. */
static gint64
variance_value (gint64 variance, gint64 cost)
{
  gint64 product = variance * cost;

  return product >= 0 ? (product + TILL_QUANTITY_ONE / 2) / TILL_QUANTITY_ONE
                      : -((-product + TILL_QUANTITY_ONE / 2) / TILL_QUANTITY_ONE);
}

static const char *
order_state_label (TillPurchaseOrderState state)
{
  switch (state)
    {
    case TILL_PURCHASE_ORDER_OPEN:
      return _ ("Open");
    case TILL_PURCHASE_ORDER_PARTIAL:
      return _ ("Partly received");
    case TILL_PURCHASE_ORDER_RECEIVED:
      return _ ("Received");
    case TILL_PURCHASE_ORDER_CANCELLED:
      return _ ("Cancelled");
    default:
      return "";
    }
}

static const char *
method_label (TillForecastMethod method)
{
  switch (method)
    {
    case TILL_FORECAST_METHOD_HOLT_WINTERS:
      return _ ("Trend and week");
    case TILL_FORECAST_METHOD_SEASONAL_MEAN:
      return _ ("Weekday average");
    case TILL_FORECAST_METHOD_NAIVE:
      return _ ("Last week");
    default:
      return "";
    }
}

/* ---- Lists ------------------------------------------------------------------- */

static GtkWidget *
cell_label_new (const Column *column, const char *text, const char *css)
{
  GtkWidget *label = gtk_label_new (text != NULL ? text : "");

  gtk_label_set_xalign (GTK_LABEL (label), column->numeric ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (column->width > 0)
    {
      gtk_widget_set_size_request (label, column->width, -1);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 1);
    }
  else
    gtk_widget_set_hexpand (label, TRUE);
  if (css != NULL)
    gtk_widget_add_css_class (label, css);
  return label;
}

/* The headings above a list, in the widths of its columns. */
static void
fill_header (GtkWidget *header, ListId list)
{
  const ListSpec *spec = &list_specs[list];

  gtk_box_set_spacing (GTK_BOX (header), 12);
  gtk_widget_set_margin_start (header, 12);
  gtk_widget_set_margin_end (header, 12);
  for (guint i = 0; i < spec->n_columns; i++)
    {
      const Column *column = &spec->columns[i];
      GtkWidget    *label =
          cell_label_new (column, *column->title != '\0' ? _ (column->title) : "", "dim-label");

      gtk_widget_add_css_class (label, "caption-heading");
      gtk_box_append (GTK_BOX (header), label);
    }
}

static void
clear_list (TillStockView *self, GtkWidget *list_box, ListId list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (list_box)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (list_box), child);
  if (self->row_texts[list] != NULL)
    g_ptr_array_set_size (self->row_texts[list], 0);
}

/* Appends a row of @cells (one per column of @list); remembers its text. */
static GtkWidget *
append_row (TillStockView *self, GtkWidget *list_box, ListId list, const Cell *cells)
{
  const ListSpec *spec = &list_specs[list];
  GtkWidget      *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget      *row = gtk_list_box_row_new ();
  GString        *text = g_string_new (NULL);

  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  for (guint i = 0; i < spec->n_columns; i++)
    {
      gtk_box_append (GTK_BOX (box),
                      cell_label_new (&spec->columns[i], cells[i].text, cells[i].css));
      g_string_append_printf (text, "%s%s", i > 0 ? "\t" : "",
                              cells[i].text != NULL ? cells[i].text : "");
    }
  gtk_widget_set_size_request (row, -1, 48);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_append (GTK_LIST_BOX (list_box), row);
  g_ptr_array_add (self->row_texts[list], g_string_free (text, FALSE));
  return row;
}

static void
append_placeholder (GtkWidget *list_box, const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_set_margin_top (label, 16);
  gtk_widget_set_margin_bottom (label, 16);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_list_box_append (GTK_LIST_BOX (list_box), label);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (gtk_widget_get_last_child (list_box)), FALSE);
}

static gint64
row_product_id (GtkListBoxRow *row)
{
  gint64 *id = g_object_get_data (G_OBJECT (row), "product-id");

  return id != NULL ? *id : 0;
}

/* ---- Finding products ---------------------------------------------------------- */

/* The product a scanned or typed @code names: a barcode, a PLU, a SKU, and
 * (when @search, for receiving and transfers) the best name match. */
static TillProduct *
find_product (TillStockView *self, const char *code, gboolean search, GError **error)
{
  TillCatalog *catalog = till_session_get_catalog (self->session);
  TillProduct *product;

  if (code == NULL || *code == '\0')
    {
      form_error (error, _ ("Scan a barcode or type a SKU first."));
      return NULL;
    }
  product = till_catalog_lookup_barcode (catalog, code, NULL);
  if (product == NULL)
    product = till_catalog_lookup_plu (catalog, code, NULL);
  if (product == NULL)
    {
      g_autoptr (GPtrArray) items = till_stock_list (get_store (self), code, 0, 20, NULL);

      for (guint i = 0; items != NULL && i < items->len && product == NULL; i++)
        {
          TillStockItem *item = g_ptr_array_index (items, i);

          if (g_strcmp0 (item->sku, code) == 0)
            product = till_catalog_lookup_id (catalog, item->product_id, NULL);
        }
    }
  if (product == NULL && search)
    {
      g_autoptr (GPtrArray) found = till_catalog_search (catalog, code, 1, NULL);

      if (found != NULL && found->len > 0)
        product = g_object_ref (g_ptr_array_index (found, 0));
    }
  if (product == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _ ("No product has the code “%s”."),
                 code);
  return product;
}

/* ---- The stock list -------------------------------------------------------------- */

static gboolean
filter_is (TillStockView *self, const char *name)
{
  return g_strcmp0 (self->filter, name) == 0;
}

/* The search, for the lists the core does not search (alerts, slow movers). */
static gboolean
item_matches (const TillStockItem *item, const char *query)
{
  g_autofree char *needle = NULL;
  g_autofree char *sku = NULL;
  g_autofree char *name = NULL;

  if (query == NULL || *query == '\0')
    return TRUE;
  needle = g_utf8_casefold (query, -1);
  sku = g_utf8_casefold (item->sku != NULL ? item->sku : "", -1);
  name = g_utf8_casefold (item->name != NULL ? item->name : "", -1);
  return strstr (sku, needle) != NULL || strstr (name, needle) != NULL;
}

static gboolean
item_in_filter (TillStockView *self, const TillStockItem *item)
{
  if (filter_is (self, "low"))
    return item->alert == TILL_STOCK_ALERT_LOW;
  if (filter_is (self, "over"))
    return item->alert == TILL_STOCK_ALERT_OVER;
  return TRUE;
}

static GPtrArray *
list_items (TillStockView *self, const char *query, GError **error)
{
  TillStore *store = get_store (self);

  if (filter_is (self, "all"))
    return till_stock_list (store, *query != '\0' ? query : NULL, 0, STOCK_LIST_LIMIT, error);
  if (filter_is (self, "slow"))
    return till_stock_list_slow_movers (store, SLOW_MOVER_DAYS, g_get_real_time (),
                                        STOCK_LIST_LIMIT, error);
  return till_stock_list_alerts (store, error);
}

/* The status column: the alert in colour, or for slow movers the last sale. */
static char *
item_status (TillStockView *self, const TillStockItem *item, const char **out_css)
{
  *out_css = NULL;
  if (filter_is (self, "slow"))
    {
      g_autofree char *day = NULL;

      *out_css = "dim-label";
      if (item->last_sale_us == 0)
        return g_strdup (_ ("Never sold"));
      day = format_time (item->last_sale_us, "%Y-%m-%d");
      return g_steal_pointer (&day);
    }
  switch (item->alert)
    {
    case TILL_STOCK_ALERT_LOW:
      *out_css = "error";
      return g_strdup (_ ("● Low"));
    case TILL_STOCK_ALERT_OVER:
      *out_css = "warning";
      return g_strdup (_ ("● Over"));
    default:
      return g_strdup ("");
    }
}

static void
append_item_row (TillStockView *self, const TillStockItem *item)
{
  g_autofree char *level = format_stock (item->level, item->weighed, item->unit);
  g_autofree char *limits = format_limits (&item->limits);
  const char      *status_css;
  g_autofree char *status = item_status (self, item, &status_css);
  Cell             cells[] = {
                { item->sku, "dim-label" },
                { item->name, NULL },
                { level, item->alert == TILL_STOCK_ALERT_LOW ? "error" : NULL },
                { limits, NULL },
                { status, status_css },
  };
  GtkWidget *row = append_row (self, self->stock_list, LIST_STOCK, cells);

  g_object_set_data_full (G_OBJECT (row), "product-id",
                          g_memdup2 (&item->product_id, sizeof item->product_id), g_free);
  if (item->product_id == self->selected_id)
    gtk_list_box_select_row (GTK_LIST_BOX (self->stock_list), GTK_LIST_BOX_ROW (row));
}

static void
refresh_stock_list (TillStockView *self)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *query = entry_text (self->search_entry);
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *count = NULL;
  guint            shown = 0;

  clear_list (self, self->stock_list, LIST_STOCK);
  if (self->session == NULL)
    return;
  items = list_items (self, query, &error);
  if (items == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < items->len; i++)
    {
      TillStockItem *item = g_ptr_array_index (items, i);

      if (!item_in_filter (self, item) || (!filter_is (self, "all") && !item_matches (item, query)))
        continue;
      append_item_row (self, item);
      shown++;
    }
  if (shown == 0)
    append_placeholder (self->stock_list, filter_is (self, "all")
                                              ? _ ("No product matches.")
                                              : _ ("No product is in this list now."));
  if (filter_is (self, "all") && shown >= STOCK_LIST_LIMIT)
    count = g_strdup_printf (_ ("The first %u products: search to find the others."), shown);
  else
    count = g_strdup_printf (ngettext ("%u product", "%u products", shown), shown);
  gtk_label_set_text (GTK_LABEL (self->stock_count_label), count);
}

static void
search_changed_cb (TillStockView *self)
{
  refresh_stock_list (self);
}

static void
stock_row_activated_cb (TillStockView *self, GtkListBoxRow *row)
{
  gint64 id = row_product_id (row);

  if (id != 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "stock.select", "x", id);
}

static void
set_filter (TillStockView *self, const char *filter)
{
  static const char *const filters[] = { "all", "alerts", "low", "over", "slow" };
  gboolean                 known = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (filters); i++)
    known = known || g_strcmp0 (filter, filters[i]) == 0;
  if (!known)
    {
      g_autofree char *message = g_strdup_printf (_ ("There is no list “%s”."), filter);

      set_message (self, message, TRUE);
      return;
    }
  if (g_strcmp0 (self->filter, filter) == 0)
    return;
  g_free (self->filter);
  self->filter = g_strdup (filter);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FILTER]);
  refresh_stock_list (self);
}

/* ---- The product detail ------------------------------------------------------------- */

static void
set_quantity_entry (GtkWidget *entry, gint64 quantity)
{
  g_autofree char *text = quantity >= 0 ? till_quantity_format (quantity) : g_strdup ("");

  set_entry_text (entry, text);
}

static void
fill_moves (TillStockView *self, const TillStockItem *item)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) moves =
      till_stock_list_moves (get_store (self), item->product_id, MOVES_LIMIT, &error);

  clear_list (self, self->moves_list, LIST_MOVES);
  if (moves == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < moves->len; i++)
    {
      TillStockMove   *move = g_ptr_array_index (moves, i);
      g_autofree char *when = format_time (move->created_us, "%m-%d %H:%M");
      g_autofree char *delta = format_delta (move->delta);
      g_autofree char *why = NULL;
      Cell             cells[4];

      /* Damaged goods move between locations: say so beside the reason. */
      why = g_strcmp0 (move->location, "stock") != 0 && move->location != NULL
                ? g_strdup_printf ("%s (%s)", till_stock_reason_get_label (move->reason),
                                   _ ("damaged"))
                : g_strdup (till_stock_reason_get_label (move->reason));
      cells[0] = (Cell){ when, "dim-label" };
      cells[1] = (Cell){ why, NULL };
      cells[2] = (Cell){ delta, move->delta < 0 ? "error" : NULL };
      cells[3] = (Cell){ move->user_code, "dim-label" };
      append_row (self, self->moves_list, LIST_MOVES, cells);
    }
  if (moves->len == 0)
    append_placeholder (self->moves_list, _ ("No movements yet."));
}

static void
show_detail (TillStockView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStockItem) item = NULL;
  g_autofree char *title = NULL;
  g_autofree char *level = NULL;
  g_autofree char *damaged = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *line = NULL;
  g_autofree char *lead = NULL;

  if (self->selected_id == 0 || self->session == NULL)
    {
      gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "none");
      clear_list (self, self->moves_list, LIST_MOVES);
      return;
    }
  item = till_stock_get_item (get_store (self), self->selected_id, &error);
  if (item == NULL)
    {
      self->selected_id = 0;
      show_error (self, error);
      gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "none");
      return;
    }
  title = g_strdup_printf ("%s · %s", item->name, item->sku);
  level = format_stock (item->level, item->weighed, item->unit);
  damaged = format_stock (item->damaged, item->weighed, item->unit);
  cost = till_ui_format_money (item->cost);
  /* TRANSLATORS: stock on hand, damaged stock, and the cost of one unit */
  line = g_strdup_printf (_ ("In stock %1$s · damaged %2$s · cost %3$s"), level, damaged, cost);
  gtk_label_set_text (GTK_LABEL (self->detail_title), title);
  gtk_label_set_text (GTK_LABEL (self->detail_level), line);
  gtk_widget_remove_css_class (self->detail_level, "error");
  gtk_widget_remove_css_class (self->detail_level, "warning");
  if (item->alert != TILL_STOCK_ALERT_NONE)
    gtk_widget_add_css_class (self->detail_level,
                              item->alert == TILL_STOCK_ALERT_LOW ? "error" : "warning");
  set_quantity_entry (self->lower_entry, item->limits.lower);
  set_quantity_entry (self->upper_entry, item->limits.upper);
  lead = g_strdup_printf ("%d", item->limits.lead_time_days);
  set_entry_text (self->lead_entry, lead);
  set_quantity_entry (self->pack_entry, item->limits.pack_size);
  set_entry_text (self->supplier_entry, item->limits.supplier);
  fill_moves (self, item);
  gtk_stack_set_visible_child_name (GTK_STACK (self->detail_stack), "product");
}

/* A quantity typed into @entry; empty is @empty_value. */
static gboolean
read_quantity (GtkWidget *entry, const char *what, gint64 empty_value, gint64 *out, GError **error)
{
  g_autofree char *text = entry_text (entry);

  *out = empty_value;
  if (*text == '\0')
    return TRUE;
  if (!till_quantity_parse (text, out, NULL))
    return form_error (error, _ ("“%1$s” is not a quantity for %2$s: type it like 12 or 0.5"), text,
                       what);
  return TRUE;
}

static gboolean
read_limits (TillStockView *self, TillStockLimits *limits, GError **error)
{
  g_autofree char *lead = entry_text (self->lead_entry);
  g_autofree char *supplier = entry_text (self->supplier_entry);
  guint64          days = 0;

  if (!read_quantity (self->lower_entry, _ ("the lower limit"), -1, &limits->lower, error) ||
      !read_quantity (self->upper_entry, _ ("the upper limit"), -1, &limits->upper, error) ||
      !read_quantity (self->pack_entry, _ ("the pack size"), TILL_QUANTITY_ONE, &limits->pack_size,
                      error))
    return FALSE;
  if (*lead != '\0' && !g_ascii_string_to_unsigned (lead, 10, 0, 365, &days, NULL))
    return form_error (error, _ ("“%s” is not a lead time: type the days, 0 to 365"), lead);
  limits->lead_time_days = (int) days;
  limits->supplier = *supplier != '\0' ? g_strdup (supplier) : NULL;
  return TRUE;
}

/* "+5", "-2", "3" (a plus) into signed thousandths. */
static gboolean
read_delta (GtkWidget *entry, gint64 *out_delta, GError **error)
{
  g_autofree char *text = entry_text (entry);
  const char      *digits = text;
  gboolean         negative = FALSE;
  gint64           quantity;

  if (*digits == '+' || *digits == '-')
    negative = *digits++ == '-';
  if (!till_quantity_parse (digits, &quantity, NULL) || quantity == 0)
    return form_error (error, _ ("Type the change like +5 or -2."));
  *out_delta = negative ? -quantity : quantity;
  return TRUE;
}

/* ---- Acts with an override ----------------------------------------------------------- */

static void
after_stock_changed (TillStockView *self)
{
  till_session_kick_sync (self->session);
  refresh_stock_list (self);
  show_detail (self);
}

/* The edit lines as core lines; FALSE when a quantity or cost is unreadable. */
static GArray *
read_lines (GPtrArray *lines, GError **error)
{
  g_autoptr (GArray) result = g_array_new (FALSE, TRUE, sizeof (TillStockLine));

  for (guint i = 0; i < lines->len; i++)
    {
      EditLine        *edit = g_ptr_array_index (lines, i);
      TillStockLine    line = { edit->product_id, 0, -1, 0 };
      g_autofree char *cost = edit->cost_entry != NULL ? entry_text (edit->cost_entry) : NULL;

      if (!read_quantity (edit->quantity_entry, edit->name, 0, &line.quantity, error))
        return NULL;
      if (cost != NULL && *cost != '\0' && !till_money_parse (cost, &line.unit_cost, NULL))
        {
          form_error (error, _ ("“%1$s” is not a cost in yuan for %2$s: type it like 12.50"), cost,
                      edit->name);
          return NULL;
        }
      g_array_append_val (result, line);
    }
  return g_steal_pointer (&result);
}

static void edit_lines_clear (TillStockView *self, ListId list);

static void
received (TillStockView *self, const StockAct *act, const char *uuid)
{
  g_autofree char *text = NULL;

  /* TRANSLATORS: the number of lines, then the receipt's reference */
  text = g_strdup_printf (ngettext ("Received %1$u line: receipt %2$.8s",
                                    "Received %1$u lines: receipt %2$.8s", act->lines->len),
                          act->lines->len, uuid);
  gtk_label_set_text (GTK_LABEL (self->receive_result_label), text);
  set_message (self, text, FALSE);
  edit_lines_clear (self, LIST_RECEIVE);
  set_entry_text (self->receive_supplier_entry, NULL);
  load_open_orders (self);
  after_stock_changed (self);
}

static void
transferred (TillStockView *self, const StockAct *act, const char *uuid)
{
  g_autofree char *text = NULL;

  if (act->direction == TILL_TRANSFER_OUT)
    text = g_strdup_printf (_ ("Sent to %1$s: transfer %2$.8s"), act->text, uuid);
  else
    text = g_strdup_printf (_ ("Received from %1$s: transfer %2$.8s"), act->text, uuid);
  gtk_label_set_text (GTK_LABEL (self->transfer_result_label), text);
  set_message (self, text, FALSE);
  edit_lines_clear (self, LIST_TRANSFER);
  set_entry_text (self->reference_entry, NULL);
  after_stock_changed (self);
}

/* One purchase order per supplier, from the suggestions on the page. */
static gboolean
create_orders (TillStockView *self, const TillOverride *override, guint *out_n, GError **error)
{
  g_autoptr (GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);

  *out_n = 0;
  for (guint i = 0; self->suggestions != NULL && i < self->suggestions->len; i++)
    {
      TillReorderSuggestion *first = g_ptr_array_index (self->suggestions, i);
      const char            *supplier = first->supplier != NULL ? first->supplier : "";
      g_autoptr (GArray) lines = g_array_new (FALSE, TRUE, sizeof (TillStockLine));
      g_autofree char *uuid = NULL;

      if (g_hash_table_contains (done, supplier))
        continue;
      g_hash_table_add (done, (gpointer) supplier);
      for (guint j = i; j < self->suggestions->len; j++)
        {
          TillReorderSuggestion *suggestion = g_ptr_array_index (self->suggestions, j);
          TillStockLine          line = { suggestion->product_id, suggestion->suggested,
                                          suggestion->unit_cost, 0 };

          if (g_strcmp0 (suggestion->supplier != NULL ? suggestion->supplier : "", supplier) == 0)
            g_array_append_val (lines, line);
        }
      uuid = till_stock_create_purchase_order (
          get_store (self), get_journal (self), get_user (self), supplier, NULL,
          (const TillStockLine *) (gpointer) lines->data, lines->len, override, error);
      if (uuid == NULL)
        return FALSE;
      (*out_n)++;
    }
  return TRUE;
}

static void
orders_created (TillStockView *self, guint n)
{
  g_autofree char *text = g_strdup_printf (
      ngettext ("Created %u purchase order.", "Created %u purchase orders.", n), n);

  set_message (self, text, FALSE);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  clear_list (self, self->reorder_list, LIST_REORDER);
  append_placeholder (self->reorder_list, _ ("Ordered: tap Suggest again to see what is left."));
  gtk_label_set_text (GTK_LABEL (self->reorder_summary), text);
  till_session_kick_sync (self->session);
  load_orders (self);
  load_open_orders (self);
}

/* The one core call behind each act; @override NULL on the first try. On
 * success the page shows the outcome. */
static gboolean
act_run (TillStockView *self, const StockAct *act, const TillOverride *override, GError **error)
{
  TillStore   *store = get_store (self);
  TillJournal *journal = get_journal (self);
  TillUser    *user = get_user (self);

  switch (act->kind)
    {
    case ACT_SAVE_LIMITS:
      if (!till_stock_set_limits (store, journal, user, act->product_id, &act->limits, override,
                                  error))
        return FALSE;
      set_message (self, _ ("Limits saved."), FALSE);
      after_stock_changed (self);
      return TRUE;
    case ACT_ADJUST:
      {
        g_autofree char *uuid =
            till_stock_adjust (store, journal, user, act->product_id, act->delta, act->reason,
                               act->text, override, error);
        if (uuid == NULL)
          return FALSE;
        set_message (self,
                     act->reason == TILL_STOCK_REASON_DAMAGE ? _ ("Written off as damaged.")
                                                             : _ ("Stock adjusted."),
                     FALSE);
        set_entry_text (self->delta_entry, NULL);
        set_entry_text (self->reason_entry, NULL);
        after_stock_changed (self);
        return TRUE;
      }
    case ACT_RECEIVE:
      {
        g_autofree char *uuid = till_stock_receive (
            store, journal, user, act->uuid, act->text,
            (const TillStockLine *) (gpointer) act->lines->data, act->lines->len, override, error);
        if (uuid == NULL)
          return FALSE;
        received (self, act, uuid);
        return TRUE;
      }
    case ACT_POST_STOCKTAKE:
      if (!till_stock_post_stocktake (store, journal, user, act->uuid, override, error))
        return FALSE;
      set_message (self, _ ("Stocktake posted: stock now matches the counts."), FALSE);
      till_session_kick_sync (self->session);
      load_stocktake (self);
      refresh_stock_list (self);
      return TRUE;
    case ACT_TRANSFER:
      {
        g_autofree char *uuid = till_stock_transfer (
            store, journal, user, act->direction, act->text, act->reference,
            (const TillStockLine *) (gpointer) act->lines->data, act->lines->len, override, error);
        if (uuid == NULL)
          return FALSE;
        transferred (self, act, uuid);
        return TRUE;
      }
    case ACT_CREATE_ORDERS:
      {
        guint n = 0;

        if (!create_orders (self, override, &n, error))
          return FALSE;
        orders_created (self, n);
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

static void
override_destroyed_cb (TillStockView *self)
{
  self->override_dialog = NULL;
  g_clear_pointer (&self->pending, stock_act_free);
}

static void
override_cancelled_cb (TillStockView *self)
{
  set_message (self, _ ("Cancelled: nothing was changed."), FALSE);
}

/* The supervisor approved: the same core call again, with the approval. */
static void
override_approved_cb (TillStockView *self, TillOverrideDialog *dialog)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillOverrideDialog) keep = g_object_ref (dialog);
  g_autoptr (StockAct) act = g_steal_pointer (&self->pending);
  TillOverride override;

  if (act == NULL || !till_override_dialog_get_override (dialog, &override))
    {
      self->pending = g_steal_pointer (&act);
      return;
    }
  if (!act_run (self, act, &override, &error))
    {
      /* A wrong PIN, or a supervisor who may not approve this either: again. */
      if (g_error_matches (error, TILL_PERMISSION_ERROR, TILL_PERMISSION_ERROR_OVERRIDE) ||
          till_permission_error_needs_override (error))
        {
          till_override_dialog_show_error (dialog, error->message);
          self->pending = g_steal_pointer (&act);
          return;
        }
      show_error (self, error);
    }
  if (self->override_dialog == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Tries @act (taken) as the signed-in user; when the core wants a
 * supervisor, asks for one. */
static void
act_start (TillStockView *self, StockAct *act)
{
  g_autoptr (StockAct) owned = act;
  g_autoptr (GError) error = NULL;
  GtkRoot       *root;
  TillPermission permission =
      act->kind == ACT_POST_STOCKTAKE ? TILL_PERMISSION_STOCKTAKE : TILL_PERMISSION_MANAGE_STOCK;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  if (act_run (self, act, NULL, &error))
    return;
  if (!till_permission_error_needs_override (error))
    {
      show_error (self, error);
      return;
    }
  set_message (self, error->message, TRUE);
  self->pending = g_steal_pointer (&owned);
  root = gtk_widget_get_root (GTK_WIDGET (self));
  self->override_dialog = till_override_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                    till_permission_get_label (permission),
                                                    error->message, TILL_REASON_OTHER);
  if (act->kind == ACT_ADJUST && act->text != NULL && *act->text != '\0')
    till_override_dialog_set_given_reason (self->override_dialog, act->text);
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "cancelled", G_CALLBACK (override_cancelled_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy", G_CALLBACK (override_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (self->override_dialog));
}

static StockAct *
act_new (ActKind kind)
{
  StockAct *act = g_new0 (StockAct, 1);

  act->kind = kind;
  act->limits.lower = -1;
  act->limits.upper = -1;
  return act;
}

/* ---- Receiving and transfer lines ---------------------------------------------------- */

static void
edit_line_free (EditLine *line)
{
  g_free (line->name);
  g_free (line);
}

static GPtrArray *
edit_lines (TillStockView *self, ListId list)
{
  return list == LIST_RECEIVE ? self->receive_lines : self->transfer_lines;
}

static GtkWidget *
edit_list_box (TillStockView *self, ListId list)
{
  return list == LIST_RECEIVE ? self->receive_list : self->transfer_list;
}

static void
edit_lines_clear (TillStockView *self, ListId list)
{
  clear_list (self, edit_list_box (self, list), list);
  g_ptr_array_set_size (edit_lines (self, list), 0);
}

static GtkWidget *
line_entry_new (const char *text, int width)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_editable_set_text (GTK_EDITABLE (entry), text != NULL ? text : "");
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), GTK_INPUT_PURPOSE_NUMBER);
  gtk_editable_set_width_chars (GTK_EDITABLE (entry), 4);
  gtk_widget_set_size_request (entry, width, 48);
  gtk_widget_set_valign (entry, GTK_ALIGN_CENTER);
  return entry;
}

/* A new line for @product with @quantity and (receiving) @cost fen. */
static EditLine *
edit_line_append (
    TillStockView *self, ListId list, TillProduct *product, gint64 quantity, gint64 cost)
{
  EditLine        *line = g_new0 (EditLine, 1);
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget       *name = NULL;
  GtkWidget       *remove = gtk_button_new_from_icon_name ("edit-delete-symbolic");
  g_autofree char *quantity_text = till_quantity_format (quantity);
  const Column    *columns = list_specs[list].columns;

  line->product_id = till_product_get_id (product);
  line->name = g_strdup (till_product_get_name (product));
  name = cell_label_new (&columns[0], line->name, NULL);
  gtk_box_append (GTK_BOX (box), name);
  line->quantity_entry = line_entry_new (quantity_text, columns[1].width);
  gtk_box_append (GTK_BOX (box), line->quantity_entry);
  if (list == LIST_RECEIVE)
    {
      g_autofree char *cost_text = till_money_format (cost);

      line->cost_entry = line_entry_new (cost_text, columns[2].width);
      gtk_box_append (GTK_BOX (box), line->cost_entry);
    }
  gtk_widget_set_size_request (remove, 48, 48);
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _ ("Remove"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), list == LIST_RECEIVE
                                                               ? "stock.receive-remove"
                                                               : "stock.transfer-remove");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "x", line->product_id);
  gtk_box_append (GTK_BOX (box), remove);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  line->row = gtk_list_box_row_new ();
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (line->row), box);
  gtk_list_box_append (GTK_LIST_BOX (edit_list_box (self, list)), line->row);
  g_ptr_array_add (edit_lines (self, list), line);
  return line;
}

/* One more unit of @product: a new line, or one more on its line. */
static void
edit_line_add_unit (TillStockView *self, ListId list, TillProduct *product)
{
  GPtrArray *lines = edit_lines (self, list);

  for (guint i = 0; i < lines->len; i++)
    {
      EditLine *line = g_ptr_array_index (lines, i);
      gint64    quantity = 0;

      if (line->product_id != till_product_get_id (product))
        continue;
      if (read_quantity (line->quantity_entry, line->name, 0, &quantity, NULL))
        {
          g_autofree char *text = till_quantity_format (quantity + TILL_QUANTITY_ONE);

          set_entry_text (line->quantity_entry, text);
        }
      return;
    }
  edit_line_append (self, list, product, TILL_QUANTITY_ONE, till_product_get_cost (product));
}

static void
edit_line_remove (TillStockView *self, ListId list, gint64 product_id)
{
  GPtrArray *lines = edit_lines (self, list);

  for (guint i = 0; i < lines->len; i++)
    {
      EditLine *line = g_ptr_array_index (lines, i);

      if (line->product_id != product_id)
        continue;
      gtk_list_box_remove (GTK_LIST_BOX (edit_list_box (self, list)), line->row);
      g_ptr_array_remove_index (lines, i);
      return;
    }
}

static void
edit_scan (TillStockView *self, ListId list, const char *code)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = find_product (self, code, TRUE, &error);
  g_autofree char *text = NULL;

  if (product == NULL)
    {
      show_error (self, error);
      return;
    }
  edit_line_add_unit (self, list, product);
  gtk_label_set_text (
      GTK_LABEL (list == LIST_RECEIVE ? self->receive_result_label : self->transfer_result_label),
      "");
  text = g_strdup_printf (_ ("Added %s."), till_product_get_name (product));
  set_message (self, text, FALSE);
}

static char *
dup_edit_row_text (EditLine *line)
{
  g_autofree char *quantity = entry_text (line->quantity_entry);
  g_autofree char *cost = line->cost_entry != NULL ? entry_text (line->cost_entry) : NULL;

  return cost != NULL ? g_strdup_printf ("%s\t%s\t%s", line->name, quantity, cost)
                      : g_strdup_printf ("%s\t%s", line->name, quantity);
}

/* ---- Receiving --------------------------------------------------------------------- */

static TillPurchaseOrder *
selected_order (TillStockView *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->order_drop));

  if (self->open_orders == NULL || selected == 0 || selected == GTK_INVALID_LIST_POSITION ||
      selected > self->open_orders->len)
    return NULL;
  return g_ptr_array_index (self->open_orders, selected - 1);
}

static char *
order_title (const TillPurchaseOrder *order)
{
  const char *supplier =
      order->supplier != NULL && *order->supplier != '\0' ? order->supplier : _ ("no supplier");

  /* TRANSLATORS: a purchase order's number, its supplier and its state */
  return g_strdup_printf (_ ("Order %1$" PRId64 " · %2$s · %3$s"), order->po_no, supplier,
                          order_state_label (order->state));
}

static void
load_open_orders (TillStockView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);
  GPtrArray *orders = till_stock_list_purchase_orders (get_store (self), TRUE, &error);

  if (orders == NULL)
    show_error (self, error);
  g_clear_pointer (&self->open_orders, g_ptr_array_unref);
  self->open_orders = orders;
  gtk_string_list_append (model, _ ("Without an order"));
  for (guint i = 0; orders != NULL && i < orders->len; i++)
    {
      g_autofree char *title = order_title (g_ptr_array_index (orders, i));

      gtk_string_list_append (model, title);
    }
  self->filling_orders = TRUE;
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->order_drop), G_LIST_MODEL (model));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->order_drop), 0);
  self->filling_orders = FALSE;
}

/* An order picked: its lines still to come, at the order's costs. */
static void
order_selected_cb (TillStockView *self)
{
  TillPurchaseOrder *order;
  TillCatalog       *catalog;

  if (self->filling_orders || self->session == NULL)
    return;
  gtk_label_set_text (GTK_LABEL (self->receive_result_label), "");
  edit_lines_clear (self, LIST_RECEIVE);
  order = selected_order (self);
  if (order == NULL)
    return;
  catalog = till_session_get_catalog (self->session);
  set_entry_text (self->receive_supplier_entry, order->supplier);
  for (guint i = 0; i < order->lines->len; i++)
    {
      const TillStockLine *line = &g_array_index (order->lines, TillStockLine, i);
      g_autoptr (TillProduct) product = till_catalog_lookup_id (catalog, line->product_id, NULL);

      if (product != NULL && line->quantity > line->received)
        edit_line_append (self, LIST_RECEIVE, product, line->quantity - line->received,
                          line->unit_cost >= 0 ? line->unit_cost : till_product_get_cost (product));
    }
}

static void
receive_scan_cb (TillStockView *self)
{
  g_autofree char *code = entry_text (self->receive_scan_entry);

  gtk_widget_activate_action (GTK_WIDGET (self), "stock.receive-scan", "s", code);
  set_entry_text (self->receive_scan_entry, NULL);
}

/* ---- Stocktake ---------------------------------------------------------------------- */

static void
load_categories (TillStockView *self)
{
  g_autoptr (GtkStringList) model = gtk_string_list_new (NULL);
  g_autoptr (GPtrArray) categories =
      till_catalog_list_categories (till_session_get_catalog (self->session), 0, NULL);
  gint64 all = 0;

  g_array_set_size (self->category_ids, 0);
  gtk_string_list_append (model, _ ("All products"));
  g_array_append_val (self->category_ids, all);
  for (guint i = 0; categories != NULL && i < categories->len; i++)
    {
      TillCategory *category = g_ptr_array_index (categories, i);
      gint64        id = till_category_get_id (category);

      gtk_string_list_append (model, till_category_get_name (category));
      g_array_append_val (self->category_ids, id);
    }
  gtk_drop_down_set_model (GTK_DROP_DOWN (self->category_drop), G_LIST_MODEL (model));
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->category_drop), 0);
}

static void
append_count_row (TillStockView *self, const TillStocktakeLine *line)
{
  g_autofree char *counted = till_quantity_format (line->counted);
  g_autofree char *expected = till_quantity_format (line->expected);
  g_autofree char *variance = format_delta (line->variance);
  g_autofree char *value = till_ui_format_money (variance_value (line->variance, line->cost));
  const char      *css = line->variance < 0 ? "error" : line->variance > 0 ? "warning" : NULL;
  Cell             cells[] = {
                { line->sku, "dim-label" }, { line->name, NULL }, { counted, NULL },
                { expected, "dim-label" },  { variance, css },    { value, css },
  };

  append_row (self, self->counts_list, LIST_COUNTS, cells);
}

static void
show_stocktake (TillStockView *self, const TillStocktake *stocktake)
{
  g_autofree char *started = format_time (stocktake->started_us, "%m-%d %H:%M");
  g_autofree char *title = NULL;
  g_autofree char *value = till_ui_format_money (stocktake->variance_value);
  g_autofree char *summary = NULL;

  /* TRANSLATORS: the stocktake's number, who began it and when */
  title = g_strdup_printf (_ ("Stocktake %1$" PRId64 ", begun by %2$s at %3$s"),
                           stocktake->stocktake_no, stocktake->started_by, started);
  gtk_label_set_text (GTK_LABEL (self->stocktake_title), title);
  clear_list (self, self->counts_list, LIST_COUNTS);
  for (guint i = 0; i < stocktake->lines->len; i++)
    {
      TillStocktakeLine *line = g_ptr_array_index (stocktake->lines, i);

      if (line->counted >= 0)
        append_count_row (self, line);
    }
  if (stocktake->n_counted == 0)
    append_placeholder (self->counts_list, _ ("Nothing counted yet: scan the first product."));
  /* TRANSLATORS: counted products, uncounted products, the variance's value */
  summary = g_strdup_printf (_ ("Counted %1$u · not counted %2$u (left as they are) · "
                                "variance %3$s"),
                             stocktake->n_counted, stocktake->n_uncounted, value);
  gtk_label_set_text (GTK_LABEL (self->stocktake_summary), summary);
}

static void
load_stocktake (TillStockView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStocktake) stocktake = NULL;

  g_clear_pointer (&self->stocktake_uuid, g_free);
  self->stocktake_uuid = till_stock_get_counting_stocktake (get_store (self), &error);
  if (error != NULL)
    show_error (self, error);
  gtk_label_set_text (GTK_LABEL (self->stocktake_summary), "");
  if (self->stocktake_uuid == NULL)
    {
      clear_list (self, self->counts_list, LIST_COUNTS);
      load_categories (self);
      gtk_stack_set_visible_child_name (GTK_STACK (self->stocktake_stack), "idle");
      return;
    }
  stocktake = till_stock_load_stocktake (get_store (self), self->stocktake_uuid, &error);
  if (stocktake == NULL)
    {
      show_error (self, error);
      return;
    }
  show_stocktake (self, stocktake);
  gtk_stack_set_visible_child_name (GTK_STACK (self->stocktake_stack), "counting");
  if (g_strcmp0 (till_stock_view_get_section (self), "stocktake") == 0)
    gtk_widget_grab_focus (self->count_scan_entry);
}

static void
begin_clicked_cb (TillStockView *self)
{
  guint  selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (self->category_drop));
  gint64 category_id =
      selected < self->category_ids->len ? g_array_index (self->category_ids, gint64, selected) : 0;

  gtk_widget_activate_action (GTK_WIDGET (self), "stock.stocktake-begin", "x", category_id);
}

static void
count_scan_cb (TillStockView *self)
{
  g_autofree char *code = entry_text (self->count_scan_entry);

  set_entry_text (self->count_scan_entry, NULL);
  if (*code != '\0')
    gtk_widget_activate_action (GTK_WIDGET (self), "stock.count", "s", code);
}

/* The keypad's count, for what the scan entry holds or else the last scan. */
static void
count_set_clicked_cb (TillStockView *self)
{
  g_autofree char *code = entry_text (self->count_scan_entry);
  g_autoptr (GError) error = NULL;
  gint64 quantity = 0;

  if (*code == '\0' && self->last_count_code != NULL)
    {
      g_free (code);
      code = g_strdup (self->last_count_code);
    }
  if (*code == '\0')
    {
      set_message (self, _ ("Scan the product first, then type its count."), TRUE);
      return;
    }
  if (!read_quantity (self->count_entry, _ ("the count"), -1, &quantity, &error) || quantity < 0)
    {
      set_message (self, error != NULL ? error->message : _ ("Type the count first."), TRUE);
      return;
    }
  set_entry_text (self->count_scan_entry, NULL);
  gtk_widget_activate_action (GTK_WIDGET (self), "stock.count-set", "(sx)", code, quantity);
}

/* Records a count of @code (+1 unit when @add) in the stocktake counting. */
static void
count_product (TillStockView *self, const char *code, gint64 quantity, gboolean add)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = NULL;
  g_autofree char *text = NULL;

  if (self->stocktake_uuid == NULL)
    {
      set_message (self, _ ("Begin a stocktake first."), TRUE);
      return;
    }
  product = find_product (self, code, FALSE, &error);
  if (product == NULL ||
      !till_stock_count (get_store (self), self->stocktake_uuid, till_product_get_id (product),
                         quantity, add, g_get_real_time (), &error))
    {
      show_error (self, error);
      return;
    }
  if (self->last_count_code != code)
    {
      g_free (self->last_count_code);
      self->last_count_code = g_strdup (code);
    }
  if (add)
    text = g_strdup_printf (_ ("Counted one more %s."), till_product_get_name (product));
  else
    text = g_strdup_printf (_ ("Count set for %s."), till_product_get_name (product));
  gtk_label_set_text (GTK_LABEL (self->last_count_label), text);
  set_message (self, NULL, FALSE);
  set_entry_text (self->count_entry, NULL);
  load_stocktake (self);
}

/* ---- Transfers ---------------------------------------------------------------------- */

static TillTransferDirection
selected_direction (TillStockView *self)
{
  return gtk_drop_down_get_selected (GTK_DROP_DOWN (self->direction_drop)) == 1 ? TILL_TRANSFER_IN
                                                                                : TILL_TRANSFER_OUT;
}

static void
direction_changed_cb (TillStockView *self)
{
  gboolean in = selected_direction (self) == TILL_TRANSFER_IN;

  gtk_widget_set_sensitive (self->reference_entry, in);
  gtk_button_set_label (GTK_BUTTON (self->transfer_button), in ? _ ("Receive") : _ ("Send"));
}

static void
transfer_scan_cb (TillStockView *self)
{
  g_autofree char *code = entry_text (self->transfer_scan_entry);

  gtk_widget_activate_action (GTK_WIDGET (self), "stock.transfer-scan", "s", code);
  set_entry_text (self->transfer_scan_entry, NULL);
}

/* ---- Reorder ------------------------------------------------------------------------- */

static void
append_suggestion_row (TillStockView *self, const TillReorderSuggestion *suggestion)
{
  g_autofree char *stock = till_quantity_format (suggestion->stock);
  g_autofree char *on_order = till_quantity_format (suggestion->on_order);
  g_autofree char *forecast = till_quantity_format (suggestion->forecast);
  g_autofree char *suggested = format_stock (suggestion->suggested, FALSE, suggestion->unit);
  Cell             cells[] = {
                { suggestion->name, NULL },
                { stock, suggestion->lower >= 0 && suggestion->stock <= suggestion->lower ? "error" : NULL },
                { on_order, "dim-label" },
                { forecast, NULL },
                { suggested, "heading" },
                { suggestion->supplier != NULL ? suggestion->supplier : "–", NULL },
                { method_label (suggestion->method), "dim-label" },
  };

  append_row (self, self->reorder_list, LIST_REORDER, cells);
}

static void
load_orders (TillStockView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) orders = till_stock_list_purchase_orders (get_store (self), FALSE, &error);

  clear_list (self, self->orders_list, LIST_ORDERS);
  if (orders == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < orders->len; i++)
    {
      TillPurchaseOrder *order = g_ptr_array_index (orders, i);
      g_autofree char   *number = g_strdup_printf ("%" PRId64, order->po_no);
      g_autofree char   *lines = g_strdup_printf ("%u", order->lines->len);
      g_autofree char   *created = format_time (order->created_us, "%Y-%m-%d");
      gboolean           open =
          order->state == TILL_PURCHASE_ORDER_OPEN || order->state == TILL_PURCHASE_ORDER_PARTIAL;
      Cell cells[] = {
        { number, NULL },
        { order->supplier != NULL && *order->supplier != '\0' ? order->supplier : "–", NULL },
        { order_state_label (order->state), open ? "accent" : "dim-label" },
        { lines, NULL },
        { created, "dim-label" },
      };

      append_row (self, self->orders_list, LIST_ORDERS, cells);
    }
  if (orders->len == 0)
    append_placeholder (self->orders_list, _ ("No purchase orders yet."));
}

/* ---- Sections ------------------------------------------------------------------------- */

static void
load_section (TillStockView *self)
{
  const char *section = till_stock_view_get_section (self);

  if (self->session == NULL || section == NULL)
    return;
  if (g_str_equal (section, "stock"))
    {
      refresh_stock_list (self);
      show_detail (self);
    }
  else if (g_str_equal (section, "receiving"))
    {
      if (self->receive_lines->len == 0)
        load_open_orders (self);
      gtk_widget_grab_focus (self->receive_scan_entry);
    }
  else if (g_str_equal (section, "stocktake"))
    load_stocktake (self);
  else if (g_str_equal (section, "transfers"))
    gtk_widget_grab_focus (self->transfer_scan_entry);
  else if (g_str_equal (section, "reorder"))
    load_orders (self);
}

static void
section_changed_cb (TillStockView *self)
{
  /* The stack reports its first page while the template is still built. */
  if (self->session == NULL)
    return;
  /* What the last section said is not about this one. */
  set_message (self, NULL, FALSE);
  load_section (self);
}

/* ---- Actions -------------------------------------------------------------------------- */

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

static void
section_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  const char    *name = g_variant_get_string (parameter, NULL);

  if (gtk_stack_get_child_by_name (GTK_STACK (self->section_stack), name) == NULL)
    {
      g_autofree char *message = g_strdup_printf (_ ("There is no section “%s”."), name);

      set_message (self, message, TRUE);
      return;
    }
  gtk_stack_set_visible_child_name (GTK_STACK (self->section_stack), name);
}

static void
select_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);

  self->selected_id = g_variant_get_int64 (parameter);
  set_message (self, NULL, FALSE);
  show_detail (self);
}

static gboolean
check_selected (TillStockView *self)
{
  if (self->selected_id != 0)
    return TRUE;
  set_message (self, _ ("Tap a product first."), TRUE);
  return FALSE;
}

static void
save_limits_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  g_autoptr (StockAct) act = act_new (ACT_SAVE_LIMITS);
  g_autoptr (GError) error = NULL;

  if (!check_signed_in (self) || !check_selected (self))
    return;
  if (!read_limits (self, &act->limits, &error))
    {
      show_error (self, error);
      return;
    }
  act->product_id = self->selected_id;
  act_start (self, g_steal_pointer (&act));
}

static void
start_adjust (TillStockView *self, gint64 delta, TillStockReason reason, const char *note)
{
  StockAct *act;

  if (!check_signed_in (self) || !check_selected (self))
    return;
  act = act_new (ACT_ADJUST);
  act->product_id = self->selected_id;
  act->delta = delta;
  act->reason = reason;
  act->text = g_strdup (note);
  act_start (self, act);
}

static void
adjust_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gint64      delta;
  const char *reason;

  g_variant_get (parameter, "(x&s)", &delta, &reason);
  start_adjust (TILL_STOCK_VIEW (widget), delta, TILL_STOCK_REASON_ADJUSTMENT, reason);
}

static void
damage_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  gint64      quantity;
  const char *reason;

  g_variant_get (parameter, "(x&s)", &quantity, &reason);
  /* Written off is always out of saleable stock, whichever sign was typed. */
  start_adjust (TILL_STOCK_VIEW (widget), -ABS (quantity), TILL_STOCK_REASON_DAMAGE, reason);
}

/* The Adjust and Write off buttons read the form into the actions above. */
static void
form_adjust (TillStockView *self, const char *action)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *reason = entry_text (self->reason_entry);
  gint64           delta;

  if (!read_delta (self->delta_entry, &delta, &error))
    {
      show_error (self, error);
      return;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), action, "(xs)", delta, reason);
}

static void
adjust_clicked_cb (TillStockView *self)
{
  form_adjust (self, "stock.adjust");
}

static void
damage_clicked_cb (TillStockView *self)
{
  form_adjust (self, "stock.damage");
}

static void
receive_scan_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  edit_scan (TILL_STOCK_VIEW (widget), LIST_RECEIVE, g_variant_get_string (parameter, NULL));
}

static void
receive_remove_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  edit_line_remove (TILL_STOCK_VIEW (widget), LIST_RECEIVE, g_variant_get_int64 (parameter));
}

/* Picks an open purchase order to receive against ("": none), as the
 * drop-down does. */
static void
receive_order_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  const char    *uuid = g_variant_get_string (parameter, NULL);

  load_open_orders (self);
  for (guint i = 0; *uuid != '\0' && i < self->open_orders->len; i++)
    {
      TillPurchaseOrder *order = g_ptr_array_index (self->open_orders, i);

      if (g_str_equal (order->uuid, uuid))
        {
          gtk_drop_down_set_selected (GTK_DROP_DOWN (self->order_drop), i + 1);
          return;
        }
    }
  if (*uuid != '\0')
    set_message (self, _ ("That order is not open any more."), TRUE);
}

static void
receive_clear_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);

  edit_lines_clear (self, LIST_RECEIVE);
  load_open_orders (self);
  set_entry_text (self->receive_supplier_entry, NULL);
  gtk_label_set_text (GTK_LABEL (self->receive_result_label), "");
}

static void
receive_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView     *self = TILL_STOCK_VIEW (widget);
  TillPurchaseOrder *order = selected_order (self);
  g_autoptr (GError) error = NULL;
  g_autoptr (StockAct) act = act_new (ACT_RECEIVE);
  g_autofree char *supplier = entry_text (self->receive_supplier_entry);

  if (!check_signed_in (self))
    return;
  act->lines = read_lines (self->receive_lines, &error);
  if (act->lines == NULL)
    {
      show_error (self, error);
      return;
    }
  act->uuid = order != NULL ? g_strdup (order->uuid) : NULL;
  act->text = *supplier != '\0' ? g_steal_pointer (&supplier) : NULL;
  act_start (self, g_steal_pointer (&act));
}

static void
stocktake_begin_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *uuid = NULL;

  if (!check_signed_in (self))
    return;
  uuid = till_stock_begin_stocktake (get_store (self), get_journal (self), get_user (self),
                                     g_variant_get_int64 (parameter), &error);
  if (uuid == NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_pointer (&self->last_count_code, g_free);
  gtk_label_set_text (GTK_LABEL (self->last_count_label), "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->section_stack), "stocktake");
  load_stocktake (self);
  set_message (self, _ ("Stocktake begun: scan each product, one scan per unit."), FALSE);
}

static void
count_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  count_product (TILL_STOCK_VIEW (widget), g_variant_get_string (parameter, NULL),
                 TILL_QUANTITY_ONE, TRUE);
}

static void
count_set_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  const char *code;
  gint64      quantity;

  g_variant_get (parameter, "(&sx)", &code, &quantity);
  count_product (TILL_STOCK_VIEW (widget), code, quantity, FALSE);
}

static void
stocktake_post_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  StockAct      *act;

  if (!check_signed_in (self))
    return;
  if (self->stocktake_uuid == NULL)
    {
      set_message (self, _ ("No stocktake is counting."), TRUE);
      return;
    }
  act = act_new (ACT_POST_STOCKTAKE);
  act->uuid = g_strdup (self->stocktake_uuid);
  act_start (self, act);
}

static void
stocktake_cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  g_autoptr (GError) error = NULL;

  if (!check_signed_in (self))
    return;
  if (self->stocktake_uuid == NULL)
    {
      set_message (self, _ ("No stocktake is counting."), TRUE);
      return;
    }
  if (!till_stock_cancel_stocktake (get_store (self), get_journal (self), get_user (self),
                                    self->stocktake_uuid, &error))
    {
      show_error (self, error);
      return;
    }
  set_message (self, _ ("Stocktake cancelled: no stock was changed."), FALSE);
  load_stocktake (self);
}

/* Fills the transfer's head as keyed: "out" or "in", the other store's
 * code, and (in) its transfer number. */
static void
transfer_form_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  const char    *direction, *other_store, *reference;

  g_variant_get (parameter, "(&s&s&s)", &direction, &other_store, &reference);
  gtk_drop_down_set_selected (GTK_DROP_DOWN (self->direction_drop),
                              g_str_equal (direction, "in") ? 1 : 0);
  set_entry_text (self->other_store_entry, other_store);
  set_entry_text (self->reference_entry, reference);
}

static void
transfer_scan_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  edit_scan (TILL_STOCK_VIEW (widget), LIST_TRANSFER, g_variant_get_string (parameter, NULL));
}

static void
transfer_remove_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  edit_line_remove (TILL_STOCK_VIEW (widget), LIST_TRANSFER, g_variant_get_int64 (parameter));
}

static void
transfer_clear_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);

  edit_lines_clear (self, LIST_TRANSFER);
  gtk_label_set_text (GTK_LABEL (self->transfer_result_label), "");
}

static void
transfer_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autoptr (StockAct) act = act_new (ACT_TRANSFER);
  g_autofree char *other = entry_text (self->other_store_entry);
  g_autofree char *reference = entry_text (self->reference_entry);

  if (!check_signed_in (self))
    return;
  act->lines = read_lines (self->transfer_lines, &error);
  if (act->lines == NULL)
    {
      show_error (self, error);
      return;
    }
  act->direction = selected_direction (self);
  act->text = g_steal_pointer (&other);
  act->reference = act->direction == TILL_TRANSFER_IN && *reference != '\0'
                       ? g_steal_pointer (&reference)
                       : NULL;
  act_start (self, g_steal_pointer (&act));
}

static void
reorder_refresh_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *today = today_text ();
  g_autofree char *summary = NULL;
  gboolean         done = FALSE;

  clear_list (self, self->reorder_list, LIST_REORDER);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  /* The forecast reads the rollups: fold in today's sales first. */
  if (!till_report_refresh (get_store (self), 0, &done, &error) ||
      (self->suggestions = till_forecast_suggest_reorder (
           get_store (self), today, REORDER_HISTORY_DAYS, REORDER_COVER_DAYS, &error)) == NULL)
    {
      show_error (self, error);
      return;
    }
  for (guint i = 0; i < self->suggestions->len; i++)
    append_suggestion_row (self, g_ptr_array_index (self->suggestions, i));
  if (self->suggestions->len == 0)
    append_placeholder (self->reorder_list, _ ("Nothing needs ordering now."));
  summary = g_strdup_printf (
      ngettext ("%u product to order.", "%u products to order.", self->suggestions->len),
      self->suggestions->len);
  gtk_label_set_text (GTK_LABEL (self->reorder_summary), summary);
  set_message (self, NULL, FALSE);
  load_orders (self);
}

static void
create_orders_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillStockView *self = TILL_STOCK_VIEW (widget);

  if (!check_signed_in (self))
    return;
  if (self->suggestions == NULL || self->suggestions->len == 0)
    {
      set_message (self, _ ("Nothing to order: tap Suggest first."), TRUE);
      return;
    }
  act_start (self, act_new (ACT_CREATE_ORDERS));
}

/* ---- Object ---------------------------------------------------------------------------- */

static void
till_stock_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  TillStockView *self = TILL_STOCK_VIEW (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      g_value_set_string (value, self->filter);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_stock_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  TillStockView *self = TILL_STOCK_VIEW (object);

  switch (prop_id)
    {
    case PROP_FILTER:
      set_filter (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
till_stock_view_dispose (GObject *object)
{
  TillStockView *self = TILL_STOCK_VIEW (object);
  GtkWidget     *child;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_STOCK_VIEW);
  /* The template's top box is not a bound child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_stock_view_parent_class)->dispose (object);
}

static void
till_stock_view_finalize (GObject *object)
{
  TillStockView *self = TILL_STOCK_VIEW (object);

  g_free (self->filter);
  g_free (self->message);
  for (guint i = 0; i < N_LISTS; i++)
    g_ptr_array_unref (self->row_texts[i]);
  g_ptr_array_unref (self->receive_lines);
  g_ptr_array_unref (self->transfer_lines);
  g_clear_pointer (&self->open_orders, g_ptr_array_unref);
  g_array_unref (self->category_ids);
  g_clear_pointer (&self->suggestions, g_ptr_array_unref);
  g_free (self->stocktake_uuid);
  g_free (self->last_count_code);
  g_clear_pointer (&self->pending, stock_act_free);
  G_OBJECT_CLASS (till_stock_view_parent_class)->finalize (object);
}

static void
bind_children (GtkWidgetClass *widget_class)
{
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, TillStockView, name)
  BIND (message_label);
  BIND (section_stack);
  BIND (search_entry);
  BIND (stock_header);
  BIND (stock_list);
  BIND (stock_count_label);
  BIND (detail_stack);
  BIND (detail_title);
  BIND (detail_level);
  BIND (lower_entry);
  BIND (upper_entry);
  BIND (lead_entry);
  BIND (pack_entry);
  BIND (supplier_entry);
  BIND (delta_entry);
  BIND (reason_entry);
  BIND (moves_header);
  BIND (moves_list);
  BIND (order_drop);
  BIND (receive_supplier_entry);
  BIND (receive_scan_entry);
  BIND (receive_header);
  BIND (receive_list);
  BIND (receive_result_label);
  BIND (stocktake_stack);
  BIND (category_drop);
  BIND (stocktake_title);
  BIND (count_scan_entry);
  BIND (count_entry);
  BIND (last_count_label);
  BIND (counts_header);
  BIND (counts_list);
  BIND (stocktake_summary);
  BIND (direction_drop);
  BIND (other_store_entry);
  BIND (reference_entry);
  BIND (transfer_scan_entry);
  BIND (transfer_header);
  BIND (transfer_list);
  BIND (transfer_result_label);
  BIND (transfer_button);
  BIND (reorder_summary);
  BIND (reorder_header);
  BIND (reorder_list);
  BIND (orders_header);
  BIND (orders_list);
#undef BIND
  gtk_widget_class_bind_template_callback (widget_class, section_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stock_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, adjust_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, damage_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, order_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, receive_scan_cb);
  gtk_widget_class_bind_template_callback (widget_class, begin_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, count_scan_cb);
  gtk_widget_class_bind_template_callback (widget_class, count_set_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, direction_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, transfer_scan_cb);
}

static void
install_actions (GtkWidgetClass *widget_class)
{
  static const struct
  {
    const char                 *name;
    const char                 *type;
    GtkWidgetActionActivateFunc activate;
  } actions[] = {
    { "stock.close", NULL, close_action },
    { "stock.section", "s", section_action },
    { "stock.select", "x", select_action },
    { "stock.save-limits", NULL, save_limits_action },
    { "stock.adjust", "(xs)", adjust_action },
    { "stock.damage", "(xs)", damage_action },
    { "stock.receive-scan", "s", receive_scan_action },
    { "stock.receive-remove", "x", receive_remove_action },
    { "stock.receive-order", "s", receive_order_action },
    { "stock.receive-clear", NULL, receive_clear_action },
    { "stock.receive", NULL, receive_action },
    { "stock.stocktake-begin", "x", stocktake_begin_action },
    { "stock.count", "s", count_action },
    { "stock.count-set", "(sx)", count_set_action },
    { "stock.stocktake-post", NULL, stocktake_post_action },
    { "stock.stocktake-cancel", NULL, stocktake_cancel_action },
    { "stock.transfer-form", "(sss)", transfer_form_action },
    { "stock.transfer-scan", "s", transfer_scan_action },
    { "stock.transfer-remove", "x", transfer_remove_action },
    { "stock.transfer-clear", NULL, transfer_clear_action },
    { "stock.transfer", NULL, transfer_action },
    { "stock.reorder-refresh", NULL, reorder_refresh_action },
    { "stock.create-orders", NULL, create_orders_action },
  };

  for (guint i = 0; i < G_N_ELEMENTS (actions); i++)
    gtk_widget_class_install_action (widget_class, actions[i].name, actions[i].type,
                                     actions[i].activate);
  gtk_widget_class_install_property_action (widget_class, "stock.filter", "filter");
}

static void
till_stock_view_class_init (TillStockViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = till_stock_view_get_property;
  object_class->set_property = till_stock_view_set_property;
  object_class->dispose = till_stock_view_dispose;
  object_class->finalize = till_stock_view_finalize;

  /* Which products the stock list shows: all, alerts (low and over), low,
   * over or slow (slow movers). */
  properties[PROP_FILTER] =
      g_param_spec_string ("filter", NULL, NULL, "all",
                           G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-stock-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  bind_children (widget_class);
  install_actions (widget_class);
}

static void
till_stock_view_init (TillStockView *self)
{
  const char *directions[] = { _ ("Send out"), _ ("Receive in"), NULL };
  GtkWidget  *headers[N_LISTS] = { NULL };

  self->filter = g_strdup ("all");
  self->message = g_strdup ("");
  for (guint i = 0; i < N_LISTS; i++)
    self->row_texts[i] = g_ptr_array_new_with_free_func (g_free);
  self->receive_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_line_free);
  self->transfer_lines = g_ptr_array_new_with_free_func ((GDestroyNotify) edit_line_free);
  self->category_ids = g_array_new (FALSE, TRUE, sizeof (gint64));

  gtk_widget_init_template (GTK_WIDGET (self));

  headers[LIST_STOCK] = self->stock_header;
  headers[LIST_MOVES] = self->moves_header;
  headers[LIST_RECEIVE] = self->receive_header;
  headers[LIST_TRANSFER] = self->transfer_header;
  headers[LIST_COUNTS] = self->counts_header;
  headers[LIST_REORDER] = self->reorder_header;
  headers[LIST_ORDERS] = self->orders_header;
  for (guint i = 0; i < N_LISTS; i++)
    fill_header (headers[i], i);
  {
    g_autoptr (GtkStringList) model = gtk_string_list_new (directions);

    gtk_drop_down_set_model (GTK_DROP_DOWN (self->direction_drop), G_LIST_MODEL (model));
  }
  direction_changed_cb (self);
}

/* ---- Public API ------------------------------------------------------------------------- */

void
till_stock_view_set_session (TillStockView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_STOCK_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
}

/**
 * till_stock_view_reset:
 *
 * Called each time the page is shown: reads the section on screen again
 * and whether a stocktake is counting, and forgets the last message. The
 * section, the filter and the search stay where the manager left them.
 */
void
till_stock_view_reset (TillStockView *self)
{
  g_return_if_fail (TILL_IS_STOCK_VIEW (self));

  set_message (self, NULL, FALSE);
  if (self->session == NULL)
    return;
  g_clear_pointer (&self->stocktake_uuid, g_free);
  self->stocktake_uuid = till_stock_get_counting_stocktake (get_store (self), NULL);
  load_section (self);
}

/**
 * till_stock_view_show_alerts:
 *
 * The home screen's alert button: the stock section, filtered to the
 * products at or below their lower limit and above their upper one.
 */
void
till_stock_view_show_alerts (TillStockView *self)
{
  g_return_if_fail (TILL_IS_STOCK_VIEW (self));

  set_entry_text (self->search_entry, NULL);
  gtk_stack_set_visible_child_name (GTK_STACK (self->section_stack), "stock");
  set_filter (self, "alerts");
  till_stock_view_reset (self);
}

/* Returns: the section on screen: stock, receiving, stocktake, transfers or reorder */
const char *
till_stock_view_get_section (TillStockView *self)
{
  g_return_val_if_fail (TILL_IS_STOCK_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->section_stack));
}

/**
 * till_stock_view_take_scan:
 * A code from a scanner while the page shows (the window catches a wedge
 * scanner's keys before any entry sees them): a count in a stocktake, a
 * line of the goods received or sent, else a search for the product.
 */
void
till_stock_view_take_scan (TillStockView *self, const char *code)
{
  const char *section;

  g_return_if_fail (TILL_IS_STOCK_VIEW (self));

  section = till_stock_view_get_section (self);
  if (g_strcmp0 (section, "stocktake") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "stock.count", "s", code);
  else if (g_strcmp0 (section, "receiving") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "stock.receive-scan", "s", code);
  else if (g_strcmp0 (section, "transfers") == 0)
    gtk_widget_activate_action (GTK_WIDGET (self), "stock.transfer-scan", "s", code);
  else
    {
      gtk_stack_set_visible_child_name (GTK_STACK (self->section_stack), "stock");
      set_entry_text (self->search_entry, code);
    }
}

/* Returns: the last success or error shown, "" when none */
const char *
till_stock_view_get_message (TillStockView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_STOCK_VIEW (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = gtk_widget_has_css_class (self->message_label, "status-error");
  return self->message;
}

/* Returns: (transfer full): see the header */
GStrv
till_stock_view_dup_rows (TillStockView *self, const char *list)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();

  g_return_val_if_fail (TILL_IS_STOCK_VIEW (self), NULL);
  g_return_val_if_fail (list != NULL, NULL);

  for (guint i = 0; i < N_LISTS; i++)
    {
      GPtrArray *lines;

      if (!g_str_equal (list, list_names[i]))
        continue;
      if (i == LIST_RECEIVE || i == LIST_TRANSFER)
        {
          lines = edit_lines (self, i);
          for (guint j = 0; j < lines->len; j++)
            {
              g_autofree char *text = dup_edit_row_text (g_ptr_array_index (lines, j));

              g_strv_builder_add (builder, text);
            }
          break;
        }
      for (guint j = 0; j < self->row_texts[i]->len; j++)
        g_strv_builder_add (builder, g_ptr_array_index (self->row_texts[i], j));
    }
  return g_strv_builder_end (builder);
}

const char *
till_stock_view_get_stocktake_summary (TillStockView *self)
{
  g_return_val_if_fail (TILL_IS_STOCK_VIEW (self), NULL);
  return self->stocktake_uuid != NULL ? gtk_label_get_text (GTK_LABEL (self->stocktake_summary))
                                      : "";
}

/* Returns: (transfer none) (nullable): the supervisor prompt open now */
TillOverrideDialog *
till_stock_view_get_override_dialog (TillStockView *self)
{
  g_return_val_if_fail (TILL_IS_STOCK_VIEW (self), NULL);
  return self->override_dialog;
}
