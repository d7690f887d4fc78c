/* till-products-view.c: the products and prices page of the back office
 *
 * A manager finds a product (by name, SKU, pinyin or a scanned barcode),
 * edits it in the pane beside the list and saves; makes new products and
 * categories; deactivates and activates them; imports and exports the
 * catalog as CSV or XLSX; prints shelf labels on the receipt printer. Every
 * change is a till-product-admin call, which checks MANAGE_PRODUCTS: a
 * refusal asks for a supervisor in the override dialog and the same call is
 * made again with the approval.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-products-view"

#include "config.h"

#include <glib/gstdio.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <till-sheet.h>

#include "till-application.h"
#include "till-override-dialog.h"
#include "till-printer-monitor.h"
#include "till-products-view.h"
#include "till-transport.h"
#include "till-ui-util.h"

/* The list shows this many products at most: a search narrows it. */
#define LIST_LIMIT 200
/* Category paths are walked this deep at most (a loop in the tree must
 * not hang the screen). */
#define MAX_CATEGORY_DEPTH 8

typedef enum
{
  ACT_SAVE,
  ACT_SET_ACTIVE,
  ACT_IMPORT,
  ACT_ADD_CATEGORY,
} ActKind;

/* One change, kept whole so that it can be made again with a supervisor's
 * approval. */
typedef struct
{
  ActKind         kind;
  gint64          product_id; /* SAVE (0: a new product), SET_ACTIVE */
  TillProductSpec spec;       /* SAVE: its strings are in @strings */
  GStrv           barcodes;   /* SAVE */
  gboolean        active;     /* SET_ACTIVE */
  GPtrArray      *rows;       /* IMPORT: GStrv each */
  char           *text;       /* IMPORT: the file; ADD_CATEGORY: the path */
  GPtrArray      *strings;
} ProductAct;

static void
product_act_free (ProductAct *act)
{
  g_strfreev (act->barcodes);
  g_clear_pointer (&act->rows, g_ptr_array_unref);
  g_free (act->text);
  g_ptr_array_unref (act->strings);
  g_free (act);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProductAct, product_act_free)

static ProductAct *
product_act_new (ActKind kind)
{
  ProductAct *act = g_new0 (ProductAct, 1);

  act->kind = kind;
  act->strings = g_ptr_array_new_with_free_func (g_free);
  return act;
}

/* Keeps @text (taken) with the act; NULL for an empty one. */
static const char *
product_act_keep (ProductAct *act, char *text)
{
  if (text == NULL || *text == '\0')
    {
      g_free (text);
      return NULL;
    }
  g_ptr_array_add (act->strings, text);
  return text;
}

struct _TillProductsView
{
  GtkWidget parent_instance;

  /* template children */
  GtkWidget *message_label;
  GtkWidget *search_entry;
  GtkWidget *list_note;
  GtkWidget *product_list;
  GtkWidget *label_hint;
  GtkWidget *copies_spin;
  GtkWidget *print_button;
  GtkWidget *pane_stack;
  GtkWidget *editor_title;
  GtkWidget *form_grid;
  GtkWidget *active_button;
  GtkWidget *import_title;
  GtkWidget *import_summary;
  GtkWidget *problem_list;

  /* the editor's fields, by name (borrowed) */
  GHashTable *fields;
  GtkWidget  *new_category_box;

  TillSession *session;
  char        *message;
  gint64       editing_id;   /* the product in the editor; 0: a new one */
  TillProduct *editing;      /* as it was read, for what the form does not show */
  GArray      *category_ids; /* the category drop-down's items: gint64 ids, 0 first */
  GHashTable  *label_ids;    /* gint64* → TRUE: the products ticked for labels */
  GHashTable  *label_checks; /* gint64* → the list row's check button (borrowed) */
  GHashTable  *row_texts;    /* gint64* → the row's text, for the tests */
  char        *import_text;  /* the last import's result as text, "" when none */
  gint64       last_label_job;
  guint        label_sends; /* PDFs on their way to the label printer */

  TillOverrideDialog *override_dialog;
  ProductAct         *pending; /* the act the override dialog is for */
  GtkNativeDialog    *chooser;
};

G_DEFINE_FINAL_TYPE (TillProductsView, till_products_view, GTK_TYPE_WIDGET)

enum
{
  SIGNAL_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void refresh_list (TillProductsView *self);
static void open_editor (TillProductsView *self, gint64 product_id);
static void update_label_hint (TillProductsView *self);
static void show_selected_row (TillProductsView *self);

/* ---- Small helpers ---------------------------------------------------------- */

static void
set_message (TillProductsView *self, const char *message, gboolean is_error)
{
  g_free (self->message);
  self->message = g_strdup (message != NULL ? message : "");
  gtk_label_set_text (GTK_LABEL (self->message_label), self->message);
  gtk_widget_set_visible (self->message_label, *self->message != '\0');
  gtk_widget_remove_css_class (self->message_label, "status-error");
  gtk_widget_remove_css_class (self->message_label, "status-info");
  gtk_widget_add_css_class (self->message_label, is_error ? "status-error" : "status-info");
}

static TillStore *
get_store (TillProductsView *self)
{
  return till_session_get_store (self->session);
}

static TillUser *
get_user (TillProductsView *self)
{
  return self->session != NULL ? till_session_get_user (self->session) : NULL;
}

static GtkWidget *
field (TillProductsView *self, const char *name)
{
  GtkWidget *widget = g_hash_table_lookup (self->fields, name);

  g_assert (widget != NULL);
  return widget;
}

static char *
field_text (TillProductsView *self, const char *name)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (field (self, name)))));
}

static void
set_field_text (TillProductsView *self, const char *name, const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (field (self, name)), text != NULL ? text : "");
}

static gint64 *
id_key (gint64 id)
{
  return g_memdup2 (&id, sizeof id);
}

/* "12.50" for 1250 fen; "" for 0 when @zero_is_empty. */
static char *
format_fen (gint64 fen, gboolean zero_is_empty)
{
  return fen == 0 && zero_is_empty ? g_strdup ("") : till_money_format (fen);
}

/* "13" for 1300 bp, "6.5" for 650. */
static char *
format_vat (int bp)
{
  if (bp % 100 == 0)
    return g_strdup_printf ("%d", bp / 100);
  if (bp % 10 == 0)
    return g_strdup_printf ("%d.%d", bp / 100, (bp % 100) / 10);
  return g_strdup_printf ("%d.%02d", bp / 100, bp % 100);
}

static gboolean
check_signed_in (TillProductsView *self)
{
  if (self->session != NULL && get_user (self) != NULL)
    return TRUE;
  set_message (self, _ ("Sign in first."), TRUE);
  return FALSE;
}

static GtkWindow *
get_parent_window (TillProductsView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  return GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
}

static TillPrinterMonitor *
get_printer_monitor (TillProductsView *self)
{
  GtkWindow      *window = get_parent_window (self);
  GtkApplication *app = window != NULL ? gtk_window_get_application (window) : NULL;

  return TILL_IS_APPLICATION (app) ? till_application_get_printer_monitor (TILL_APPLICATION (app))
                                   : NULL;
}

/* ---- Categories --------------------------------------------------------------- */

static void
collect_categories (TillCatalog   *catalog,
                    gint64         parent_id,
                    const char    *prefix,
                    guint          depth,
                    GtkStringList *paths,
                    GArray        *ids)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) children = NULL;

  if (depth >= MAX_CATEGORY_DEPTH)
    return;
  children = till_catalog_list_categories (catalog, parent_id, &error);
  if (children == NULL)
    {
      g_warning ("The categories under %" PRId64 " cannot be read: %s", parent_id, error->message);
      return;
    }
  for (guint i = 0; i < children->len; i++)
    {
      TillCategory    *category = g_ptr_array_index (children, i);
      gint64           id = till_category_get_id (category);
      g_autofree char *path =
          prefix != NULL ? g_strconcat (prefix, "/", till_category_get_name (category), NULL)
                         : g_strdup (till_category_get_name (category));

      gtk_string_list_append (paths, path);
      g_array_append_val (ids, id);
      collect_categories (catalog, id, path, depth + 1, paths, ids);
    }
}

/* Fills the drop-down with the tree as paths ("饮料/茶饮"), "No category"
 * first. */
static void
load_categories (TillProductsView *self)
{
  g_autoptr (GtkStringList) paths = gtk_string_list_new (NULL);
  gint64 none = 0;

  g_array_set_size (self->category_ids, 0);
  gtk_string_list_append (paths, _ ("No category"));
  g_array_append_val (self->category_ids, none);
  if (self->session != NULL)
    collect_categories (till_session_get_catalog (self->session), 0, NULL, 0, paths,
                        self->category_ids);
  gtk_drop_down_set_model (GTK_DROP_DOWN (field (self, "category")), G_LIST_MODEL (paths));
}

static void
select_category (TillProductsView *self, gint64 category_id)
{
  guint selected = 0;

  for (guint i = 0; i < self->category_ids->len; i++)
    if (g_array_index (self->category_ids, gint64, i) == category_id)
      selected = i;
  gtk_drop_down_set_selected (GTK_DROP_DOWN (field (self, "category")), selected);
}

static gint64
selected_category (TillProductsView *self)
{
  guint selected = gtk_drop_down_get_selected (GTK_DROP_DOWN (field (self, "category")));

  return selected < self->category_ids->len ? g_array_index (self->category_ids, gint64, selected)
                                            : 0;
}

/* The child of @parent_id called @name, 0 when there is none. */
static gint64
find_child_category (TillProductsView *self, gint64 parent_id, const char *name, GError **error)
{
  g_autoptr (GPtrArray) children =
      till_catalog_list_categories (till_session_get_catalog (self->session), parent_id, error);

  if (children == NULL)
    return -1;
  for (guint i = 0; i < children->len; i++)
    if (g_strcmp0 (till_category_get_name (g_ptr_array_index (children, i)), name) == 0)
      return till_category_get_id (g_ptr_array_index (children, i));
  return 0;
}

/* ---- Reading the editor --------------------------------------------------------- */

static gboolean G_GNUC_PRINTF (2, 3) form_error (GError **error, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  g_propagate_error (error, g_error_new_valist (G_IO_ERROR, G_IO_ERROR_INVALID_DATA, format, args));
  va_end (args);
  return FALSE;
}

/* Yuan as typed ("12", "12.5") into fen; empty is 0. Also reads a VAT
 * percentage into basis points, which have the same two decimals. */
static gboolean
read_amount (
    TillProductsView *self, const char *name, const char *what, gint64 *out_value, GError **error)
{
  g_autofree char *text = field_text (self, name);

  *out_value = 0;
  if (g_str_has_suffix (text, "%"))
    {
      text[strlen (text) - 1] = '\0';
      g_strstrip (text);
    }
  if (*text == '\0')
    return TRUE;
  if (!till_money_parse (text, out_value, NULL) || *out_value < 0)
    return form_error (error, _ ("“%s” is not a number for %s: type it like 12.50"), text, what);
  return TRUE;
}

/* Barcodes typed with commas, semicolons, bars or spaces; NULL when none. */
static GStrv
read_barcodes (TillProductsView *self)
{
  g_autofree char *text = field_text (self, "barcodes");
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = NULL;
  g_autoptr (GString) normalized = g_string_new (text);
  guint n = 0;

  g_string_replace (normalized, "，", ",", 0);
  g_string_replace (normalized, "；", ",", 0);
  g_string_replace (normalized, "、", ",", 0);
  g_strdelimit (normalized->str, ";| \t\n", ',');
  parts = g_strsplit (normalized->str, ",", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (*g_strstrip (parts[i]) != '\0')
      {
        g_strv_builder_add (builder, parts[i]);
        n++;
      }
  return n > 0 ? g_strv_builder_end (builder) : NULL;
}

/* The change the editor describes; what it means (a SKU already used, a
 * bad barcode) is the core's to judge, only what cannot be read is refused
 * here. */
static ProductAct *
read_editor (TillProductsView *self, GError **error)
{
  g_autoptr (ProductAct) act = product_act_new (ACT_SAVE);
  TillProductSpec *spec = &act->spec;
  gint64           vat = 0;

  act->product_id = self->editing_id;
  spec->sku = product_act_keep (act, field_text (self, "sku"));
  spec->name = product_act_keep (act, field_text (self, "name"));
  spec->unit = product_act_keep (act, field_text (self, "unit"));
  spec->plu = product_act_keep (act, field_text (self, "plu"));
  spec->brand = product_act_keep (act, field_text (self, "brand"));
  /* The short name has no field: an edit keeps it. */
  if (self->editing != NULL)
    spec->short_name =
        product_act_keep (act, g_strdup (till_product_get_short_name (self->editing)));
  spec->category_id = selected_category (self);
  if (!read_amount (self, "price", _ ("the price"), &spec->price, error) ||
      !read_amount (self, "member-price", _ ("the member price"), &spec->member_price, error) ||
      !read_amount (self, "cost", _ ("the cost"), &spec->cost, error) ||
      !read_amount (self, "vat", _ ("the VAT rate"), &vat, error))
    return NULL;
  if (vat > 10000)
    {
      form_error (error, _ ("The VAT rate is a percentage: at most 100"));
      return NULL;
    }
  spec->vat_rate = (int) vat;
  spec->weighed = gtk_switch_get_active (GTK_SWITCH (field (self, "weighed")));
  spec->active = gtk_switch_get_active (GTK_SWITCH (field (self, "active")));
  act->barcodes = read_barcodes (self);
  /* An existing product with no barcodes typed loses them: pass an empty
   * list, not NULL (which would keep them). */
  if (act->barcodes == NULL)
    act->barcodes = g_new0 (char *, 1);
  return g_steal_pointer (&act);
}

/* ---- The editor ------------------------------------------------------------------- */

static void
update_active_button (TillProductsView *self)
{
  gboolean active;

  gtk_widget_set_visible (self->active_button, self->editing != NULL);
  if (self->editing == NULL)
    return;
  active = till_product_get_active (self->editing);
  gtk_button_set_label (GTK_BUTTON (self->active_button),
                        active ? _ ("Deactivate") : _ ("Activate"));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->active_button), "b", !active);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->active_button), "products.set-active");
  if (active)
    gtk_widget_add_css_class (self->active_button, "destructive-action");
  else
    gtk_widget_remove_css_class (self->active_button, "destructive-action");
}

static void
fill_editor (TillProductsView *self, TillProduct *product, GStrv barcodes)
{
  g_autofree char *price = NULL;
  g_autofree char *member_price = NULL;
  g_autofree char *cost = NULL;
  g_autofree char *vat = NULL;
  g_autofree char *codes = NULL;

  if (product == NULL)
    {
      const char *blank[] = { "sku",  "name", "barcodes", "price", "member-price",
                              "cost", "unit", "plu",      "brand" };

      for (guint i = 0; i < G_N_ELEMENTS (blank); i++)
        set_field_text (self, blank[i], NULL);
      set_field_text (self, "vat", "13");
      select_category (self, 0);
      gtk_switch_set_active (GTK_SWITCH (field (self, "weighed")), FALSE);
      gtk_switch_set_active (GTK_SWITCH (field (self, "active")), TRUE);
      return;
    }
  price = format_fen (till_product_get_price (product), FALSE);
  member_price = format_fen (till_product_get_member_price (product), TRUE);
  cost = format_fen (till_product_get_cost (product), TRUE);
  vat = format_vat (till_product_get_vat_rate (product));
  codes = barcodes != NULL ? g_strjoinv (", ", barcodes) : g_strdup ("");
  set_field_text (self, "sku", till_product_get_sku (product));
  set_field_text (self, "name", till_product_get_name (product));
  set_field_text (self, "barcodes", codes);
  set_field_text (self, "price", price);
  set_field_text (self, "member-price", member_price);
  set_field_text (self, "cost", cost);
  set_field_text (self, "vat", vat);
  set_field_text (self, "unit", till_product_get_unit (product));
  set_field_text (self, "plu", till_product_get_plu (product));
  set_field_text (self, "brand", till_product_get_brand (product));
  select_category (self, till_product_get_category_id (product));
  gtk_switch_set_active (GTK_SWITCH (field (self, "weighed")), till_product_get_weighed (product));
  gtk_switch_set_active (GTK_SWITCH (field (self, "active")), till_product_get_active (product));
}

/* Opens the editor on @product_id as the store has it now; 0: a new one. */
static void
open_editor (TillProductsView *self, gint64 product_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillProduct) product = NULL;
  g_auto (GStrv) barcodes = NULL;
  g_autofree char *title = NULL;

  if (product_id != 0)
    {
      product =
          till_catalog_lookup_id (till_session_get_catalog (self->session), product_id, &error);
      if (product != NULL)
        barcodes = till_product_admin_get_barcodes (get_store (self), product_id, &error);
      if (product == NULL || error != NULL)
        {
          set_message (self, error->message, TRUE);
          return;
        }
    }
  self->editing_id = product_id;
  g_set_object (&self->editing, product);
  gtk_widget_set_visible (self->new_category_box, FALSE);
  fill_editor (self, product, barcodes);
  if (product != NULL)
    title = g_strdup_printf (_ ("%s (%s)"), till_product_get_name (product),
                             till_product_get_sku (product));
  gtk_label_set_text (GTK_LABEL (self->editor_title), title != NULL ? title : _ ("New product"));
  update_active_button (self);
  update_label_hint (self);
  show_selected_row (self);
  gtk_stack_set_visible_child_name (GTK_STACK (self->pane_stack), "editor");
}

/* ---- The list ----------------------------------------------------------------------- */

static void
update_label_hint (TillProductsView *self)
{
  guint            n = g_hash_table_size (self->label_ids);
  g_autofree char *hint = NULL;

  if (n > 0)
    hint = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Labels for %u ticked product",
                                         "Labels for %u ticked products", n),
                            n);
  else
    hint = g_strdup (self->editing != NULL ? _ ("Labels for the product shown")
                                           : _ ("Tick products for labels"));
  gtk_label_set_text (GTK_LABEL (self->label_hint), hint);
  gtk_widget_set_sensitive (self->print_button, n > 0 || self->editing != NULL);
}

static void
label_check_toggled_cb (GtkCheckButton *check, TillProductsView *self)
{
  gint64 id = *(const gint64 *) g_object_get_data (G_OBJECT (check), "product-id");

  if (gtk_check_button_get_active (check))
    g_hash_table_add (self->label_ids, id_key (id));
  else
    g_hash_table_remove (self->label_ids, &id);
  update_label_hint (self);
}

/* Marks the row of the product in the editor, if it is listed. */
static void
show_selected_row (TillProductsView *self)
{
  for (GtkWidget *row = gtk_widget_get_first_child (self->product_list); row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      const gint64 *id = g_object_get_data (G_OBJECT (row), "product-id");

      if (id != NULL && self->editing != NULL && *id == self->editing_id)
        {
          gtk_list_box_select_row (GTK_LIST_BOX (self->product_list), GTK_LIST_BOX_ROW (row));
          return;
        }
    }
  gtk_list_box_unselect_all (GTK_LIST_BOX (self->product_list));
}

static GtkWidget *
new_label (const char *text, const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static GtkWidget *
new_product_row (TillProductsView *self, TillProduct *product)
{
  gint64           id = till_product_get_id (product);
  gboolean         active = till_product_get_active (product);
  GtkWidget       *row = gtk_list_box_row_new ();
  GtkWidget       *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 10);
  GtkWidget       *text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget       *check = gtk_check_button_new ();
  GtkWidget       *price_label;
  g_autofree char *price = till_ui_format_money (till_product_get_price (product));
  g_autofree char *member_price =
      till_product_get_member_price (product) != 0
          ? till_ui_format_money (till_product_get_member_price (product))
          : g_strdup ("—");
  g_autofree char *detail =
      g_strdup_printf (_ ("%1$s · member %2$s"), till_product_get_sku (product), member_price);

  gtk_widget_set_margin_start (box, 6);
  gtk_widget_set_margin_end (box, 12);
  gtk_widget_set_size_request (box, -1, 56);

  gtk_widget_set_size_request (check, 48, 48);
  gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                               g_hash_table_contains (self->label_ids, &id));
  g_object_set_data_full (G_OBJECT (check), "product-id", id_key (id), g_free);
  g_signal_connect (check, "toggled", G_CALLBACK (label_check_toggled_cb), self);
  gtk_box_append (GTK_BOX (box), check);
  g_hash_table_insert (self->label_checks, id_key (id), check);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_widget_set_valign (text, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (text), new_label (till_product_get_name (product), "heading"));
  gtk_box_append (GTK_BOX (text), new_label (detail, "dim-label"));
  gtk_box_append (GTK_BOX (box), text);

  if (!active)
    {
      GtkWidget *badge = gtk_label_new (_ ("Inactive"));

      gtk_widget_add_css_class (badge, "error");
      gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), badge);
      gtk_widget_add_css_class (text, "dim-label");
    }
  price_label = gtk_label_new (price);
  gtk_widget_add_css_class (price_label, "product-price");
  gtk_widget_set_valign (price_label, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (box), price_label);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "product-id", id_key (id), g_free);
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "x", id);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "products.select");
  g_hash_table_insert (self->row_texts, id_key (id),
                       g_strdup_printf ("%s\t%s\t%s\t%s\t%s", till_product_get_sku (product),
                                        till_product_get_name (product), price, member_price,
                                        active ? "active" : "inactive"));
  return row;
}

/* The products the search finds: a scanned barcode finds its product
 * exactly (*out_exact), anything else is the core's search. */
static GPtrArray *
find_products (TillProductsView *self, const char *query, gboolean *out_exact, GError **error)
{
  gboolean digits =
      query != NULL && strlen (query) >= 6 && strspn (query, "0123456789") == strlen (query);
  GPtrArray *found;

  *out_exact = FALSE;
  if (digits)
    {
      g_autoptr (TillProduct) product =
          till_catalog_lookup_barcode (till_session_get_catalog (self->session), query, NULL);

      if (product != NULL)
        {
          found = g_ptr_array_new_with_free_func (g_object_unref);
          g_ptr_array_add (found, g_steal_pointer (&product));
          *out_exact = TRUE;
          return found;
        }
    }
  found = till_product_admin_list (get_store (self), query, TRUE, LIST_LIMIT, error);
  /* The barcode of a product no longer sold is found here, alone. */
  if (found != NULL && digits && found->len == 1)
    *out_exact = TRUE;
  return found;
}

/* Reads the list again from the store: after each change, so that the
 * screen shows what the till holds. Returns the one product a barcode
 * found, 0 otherwise. */
static gint64
refresh_list_with_match (TillProductsView *self)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) products = NULL;
  g_autofree char *query = NULL;
  GtkWidget       *child;
  gboolean         exact = FALSE;

  g_hash_table_remove_all (self->row_texts);
  g_hash_table_remove_all (self->label_checks);
  while ((child = gtk_widget_get_first_child (self->product_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->product_list), child);
  gtk_widget_set_visible (self->list_note, FALSE);
  if (self->session == NULL)
    return 0;
  query = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  products = find_products (self, *query != '\0' ? query : NULL, &exact, &error);
  if (products == NULL)
    {
      set_message (self, error->message, TRUE);
      return 0;
    }
  for (guint i = 0; i < products->len; i++)
    gtk_list_box_append (GTK_LIST_BOX (self->product_list),
                         new_product_row (self, g_ptr_array_index (products, i)));
  if (products->len == 0)
    gtk_label_set_text (GTK_LABEL (self->list_note), _ ("No product matches the search."));
  else if (products->len >= LIST_LIMIT)
    {
      g_autofree char *note =
          g_strdup_printf (_ ("The first %u products: search to find others."), LIST_LIMIT);

      gtk_label_set_text (GTK_LABEL (self->list_note), note);
    }
  gtk_widget_set_visible (self->list_note, products->len == 0 || products->len >= LIST_LIMIT);
  show_selected_row (self);
  return exact ? till_product_get_id (g_ptr_array_index (products, 0)) : 0;
}

static void
refresh_list (TillProductsView *self)
{
  refresh_list_with_match (self);
}

static void search_changed_cb (TillProductsView *self);

/* Puts @text in the search entry without searching (the caller does). */
static void
set_search_text (TillProductsView *self, const char *text)
{
  g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text);
  g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
}

static void
search_changed_cb (TillProductsView *self)
{
  gint64 match = refresh_list_with_match (self);

  if (match != 0)
    open_editor (self, match);
}

/* ---- The import's result ------------------------------------------------------------ */

static char *
format_problem (const TillImportProblem *problem)
{
  const char *message = problem->message != NULL ? problem->message : "";

  if (problem->column == NULL)
    /* TRANSLATORS: an import's bad row: "Row 7: message" (第 7 行：…) */
    return g_strdup_printf (_ ("Row %1$u: %2$s"), problem->row, message);
  /* The core's message quotes the bad value itself.
   * TRANSLATORS: "Row 7 · price: message" (第 7 行 · 售价：…) */
  return g_strdup_printf (_ ("Row %1$u · %2$s: %3$s"), problem->row, problem->column, message);
}

static void
show_import_result (TillProductsView *self, const char *file, const TillImportResult *result)
{
  g_autofree char *basename = g_path_get_basename (file);
  g_autofree char *title = g_strdup_printf (_ ("Import of %s"), basename);
  g_autofree char *summary = NULL;
  g_autoptr (GString) text = g_string_new (NULL);
  gboolean   refused = result->problems->len > 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (self->problem_list)) != NULL)
    gtk_list_box_remove (GTK_LIST_BOX (self->problem_list), child);
  if (!refused)
    summary = g_strdup_printf (_ ("Done: %1$u created, %2$u updated, %3$u unchanged."),
                               result->created, result->updated, result->unchanged);
  else
    summary = g_strdup_printf (
        g_dngettext (GETTEXT_PACKAGE, "Nothing was imported: %u row must be corrected first.",
                     "Nothing was imported: %u rows must be corrected first.",
                     result->problems->len),
        result->problems->len);
  g_string_append (text, summary);
  for (guint i = 0; i < result->problems->len; i++)
    {
      g_autofree char *line = format_problem (g_ptr_array_index (result->problems, i));
      GtkWidget       *label = gtk_label_new (line);

      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_set_margin_start (label, 12);
      gtk_widget_set_margin_end (label, 12);
      gtk_widget_set_margin_top (label, 8);
      gtk_widget_set_margin_bottom (label, 8);
      gtk_list_box_append (GTK_LIST_BOX (self->problem_list), label);
      g_string_append_printf (text, "\n%s", line);
    }
  gtk_widget_set_visible (self->problem_list, refused);
  gtk_label_set_text (GTK_LABEL (self->import_title), title);
  gtk_label_set_text (GTK_LABEL (self->import_summary), summary);
  g_free (self->import_text);
  self->import_text = g_string_free (g_steal_pointer (&text), FALSE);
  gtk_stack_set_visible_child_name (GTK_STACK (self->pane_stack), "import");
  set_message (self, summary, refused);
}

/* ---- Acts ------------------------------------------------------------------------------- */

static gboolean
run_save (TillProductsView *self, ProductAct *act, const TillOverride *override, GError **error)
{
  TillJournal     *journal = till_session_get_journal (self->session);
  gint64           id = act->product_id;
  g_autofree char *done = NULL;

  if (id == 0)
    {
      id = till_product_admin_create (get_store (self), journal, get_user (self), &act->spec,
                                      (const char *const *) act->barcodes, override, error);
      if (id <= 0)
        return FALSE;
    }
  else if (!till_product_admin_update (get_store (self), journal, get_user (self), id, &act->spec,
                                       (const char *const *) act->barcodes, override, error))
    return FALSE;
  done = g_strdup_printf (act->product_id == 0 ? _ ("%s is added") : _ ("%s is saved"),
                          act->spec.name != NULL ? act->spec.name : act->spec.sku);
  /* A new product may sort far down the list: find it there. */
  if (act->product_id == 0 && act->spec.sku != NULL)
    set_search_text (self, act->spec.sku);
  refresh_list (self);
  open_editor (self, id);
  set_message (self, done, FALSE);
  return TRUE;
}

static gboolean
run_set_active (TillProductsView   *self,
                ProductAct         *act,
                const TillOverride *override,
                GError            **error)
{
  if (!till_product_admin_set_active (get_store (self), till_session_get_journal (self->session),
                                      get_user (self), act->product_id, act->active, override,
                                      error))
    return FALSE;
  refresh_list (self);
  open_editor (self, act->product_id);
  if (self->editing != NULL)
    {
      g_autofree char *done =
          g_strdup_printf (act->active ? _ ("%s is on sale again") : _ ("%s is no longer sold"),
                           till_product_get_name (self->editing));

      set_message (self, done, FALSE);
    }
  return TRUE;
}

static gboolean
run_import (TillProductsView *self, ProductAct *act, const TillOverride *override, GError **error)
{
  g_autoptr (TillImportResult) result = NULL;
  gboolean applied = FALSE;

  result = till_product_admin_import (get_store (self), till_session_get_journal (self->session),
                                      get_user (self), act->rows, FALSE, override, &applied, error);
  if (result == NULL)
    return FALSE;
  /* Bad rows are the result, shown on the page, not a failure. */
  g_clear_error (error);
  show_import_result (self, act->text, result);
  if (applied)
    {
      load_categories (self);
      refresh_list (self);
    }
  return TRUE;
}

/* Each part of the path that is missing is added under the one before it:
 * made again after an approval, the parts added already are found. */
static gboolean
run_add_category (TillProductsView   *self,
                  ProductAct         *act,
                  const TillOverride *override,
                  GError            **error)
{
  g_auto (GStrv) parts = g_strsplit (act->text, "/", -1);
  gint64 parent_id = 0;
  guint  depth = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name = g_strstrip (parts[i]);
      gint64      id;

      if (*name == '\0')
        continue;
      if (++depth > MAX_CATEGORY_DEPTH)
        return form_error (error, _ ("A category path has at most %d levels"), MAX_CATEGORY_DEPTH);
      id = find_child_category (self, parent_id, name, error);
      if (id < 0)
        return FALSE;
      if (id == 0)
        id = till_product_admin_add_category (get_store (self),
                                              till_session_get_journal (self->session),
                                              get_user (self), parent_id, name, override, error);
      if (id <= 0)
        return FALSE;
      parent_id = id;
    }
  if (parent_id == 0)
    return form_error (error, _ ("Type the new category’s name, e.g. 饮料/茶饮"));
  load_categories (self);
  select_category (self, parent_id);
  gtk_editable_set_text (GTK_EDITABLE (field (self, "new-category")), "");
  gtk_widget_set_visible (self->new_category_box, FALSE);
  {
    g_autofree char *done = g_strdup_printf (_ ("The category %s is ready"), act->text);

    set_message (self, done, FALSE);
  }
  return TRUE;
}

/* The one core call behind each act; @override NULL on the first try. */
static gboolean
act_run (TillProductsView *self, ProductAct *act, const TillOverride *override, GError **error)
{
  switch (act->kind)
    {
    case ACT_SAVE:
      return run_save (self, act, override, error);
    case ACT_SET_ACTIVE:
      return run_set_active (self, act, override, error);
    case ACT_IMPORT:
      return run_import (self, act, override, error);
    case ACT_ADD_CATEGORY:
      return run_add_category (self, act, override, error);
    default:
      g_assert_not_reached ();
    }
}

/* The reason code an approval carries into the journal. */
static const char *
act_reason (ActKind kind)
{
  switch (kind)
    {
    case ACT_SAVE:
      return "product-edit";
    case ACT_SET_ACTIVE:
      return "product-active";
    case ACT_IMPORT:
      return "product-import";
    case ACT_ADD_CATEGORY:
      return "category-add";
    default:
      g_assert_not_reached ();
    }
}

static void
override_destroyed_cb (TillProductsView *self)
{
  self->override_dialog = NULL;
  g_clear_pointer (&self->pending, product_act_free);
}

static void
override_cancelled_cb (TillProductsView *self)
{
  set_message (self, _ ("Cancelled: nothing was changed."), FALSE);
}

/* The supervisor approved: the same core call again, with the approval. */
static void
override_approved_cb (TillProductsView *self, TillOverrideDialog *dialog)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillOverrideDialog) keep = g_object_ref (dialog);
  g_autoptr (ProductAct) act = g_steal_pointer (&self->pending);
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
      set_message (self, error->message, TRUE);
    }
  if (self->override_dialog == dialog)
    gtk_window_destroy (GTK_WINDOW (dialog));
}

/* Tries @act (taken) as the signed-in user; when the core wants a
 * supervisor, asks for one. */
static void
act_start (TillProductsView *self, ProductAct *act)
{
  g_autoptr (ProductAct) owned = act;
  g_autoptr (GError) error = NULL;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  if (act_run (self, act, NULL, &error))
    return;
  set_message (self, error->message, TRUE);
  if (!till_permission_error_needs_override (error))
    return;
  self->pending = g_steal_pointer (&owned);
  self->override_dialog = till_override_dialog_new (
      get_parent_window (self), till_permission_get_label (TILL_PERMISSION_MANAGE_PRODUCTS),
      error->message, TILL_REASON_OTHER);
  /* The sale reasons (wrong item, damaged…) mean nothing here: the
   * approval names the act. */
  till_override_dialog_set_given_reason (self->override_dialog, act_reason (act->kind));
  g_signal_connect_object (self->override_dialog, "approved", G_CALLBACK (override_approved_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "cancelled", G_CALLBACK (override_cancelled_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->override_dialog, "destroy", G_CALLBACK (override_destroyed_cb),
                           self, G_CONNECT_SWAPPED);
}

/* ---- Export and labels ------------------------------------------------------------------ */

static gboolean
export_to (TillProductsView *self, const char *path, guint *out_n, GError **error)
{
  static const char *const number_columns[] = { "price", "member_price", "cost",
                                                "vat",   "lower",        "upper" };
  g_autoptr (GPtrArray) rows = till_product_admin_export (get_store (self), error);
  g_autofree TillSheetCellKind *kinds = NULL;
  GStrv                         header;
  guint                         n_columns;

  if (rows == NULL)
    return FALSE;
  if (rows->len == 0)
    {
      g_set_error (error, TILL_PRODUCT_ADMIN_ERROR, TILL_PRODUCT_ADMIN_ERROR_FAILED,
                   _ ("The catalog came without its header row"));
      return FALSE;
    }
  /* Prices are numbers a spreadsheet adds up; SKUs and barcodes stay text
   * so that no leading zero is lost. */
  header = g_ptr_array_index (rows, 0);
  n_columns = g_strv_length (header);
  kinds = g_new0 (TillSheetCellKind, MAX (n_columns, 1));
  for (guint i = 0; i < n_columns; i++)
    kinds[i] =
        g_strv_contains (number_columns, header[i]) ? TILL_SHEET_CELL_NUMBER : TILL_SHEET_CELL_TEXT;
  if (!till_sheet_write (path, till_sheet_format_for_path (path), _ ("Products"), rows, kinds,
                         n_columns, error))
    return FALSE;
  *out_n = rows->len - 1;
  return TRUE;
}

/* The products the labels are for: those ticked, else the one shown. */
static GArray *
label_product_ids (TillProductsView *self)
{
  GArray        *ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  GHashTableIter iter;
  gpointer       key;

  g_hash_table_iter_init (&iter, self->label_ids);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_array_append_val (ids, *(gint64 *) key);
  if (ids->len == 0 && self->editing != NULL)
    {
      gint64 id = till_product_get_id (self->editing);

      g_array_append_val (ids, id);
    }
  return ids;
}

static int
compare_ids (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* A label printer (store setting labels.printer, e.g.
 * cups://Labels?format=pdf) gets the labels as PDF pages of labels.size
 * ("60x40" mm, the default), sent from a worker thread; the receipt printer's
 * durable queue is for its own ESC/POS jobs. */
#define LABEL_PRINTER_SETTING "labels.printer"
#define LABEL_SIZE_SETTING "labels.size"

static void
send_label_pdf_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GBytes     *pdf = task_data;
  const char *uri = g_object_get_data (G_OBJECT (task), "uri");
  g_autoptr (GError) error = NULL;

  if (till_transport_print_bytes (uri, pdf, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
send_label_pdf_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (source);
  g_autoptr (GError) error = NULL;

  self->label_sends--;
  if (!g_task_propagate_boolean (G_TASK (result), &error))
    set_message (self, error->message, TRUE);
}

static gboolean
send_labels_to_label_printer (TillProductsView     *self,
                              const char           *uri,
                              const TillShelfLabel *labels,
                              guint                 n_labels,
                              GError              **error)
{
  g_autofree char *size = till_store_get_setting (get_store (self), LABEL_SIZE_SETTING);
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autofree char *contents = NULL;
  g_autoptr (GTask) task = NULL;
  double width_mm = 60, height_mm = 40;
  gsize  length = 0;

  if (size != NULL && sscanf (size, "%lfx%lf", &width_mm, &height_mm) != 2)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("The label size “%s” is not width×height in mm, such as 60x40"), size);
      return FALSE;
    }
  dir = g_dir_make_tmp ("opentill-labels-XXXXXX", error);
  if (dir == NULL)
    return FALSE;
  path = g_build_filename (dir, "labels.pdf", NULL);
  if (!till_shelf_label_write_pdf (labels, n_labels, width_mm, height_mm, path, error) ||
      !g_file_get_contents (path, &contents, &length, error))
    {
      g_unlink (path);
      g_rmdir (dir);
      return FALSE;
    }
  g_unlink (path);
  g_rmdir (dir);
  task = g_task_new (self, NULL, send_label_pdf_done_cb, NULL);
  g_task_set_task_data (task, g_bytes_new_take (g_steal_pointer (&contents), length),
                        (GDestroyNotify) g_bytes_unref);
  g_object_set_data_full (G_OBJECT (task), "uri", g_strdup (uri), g_free);
  self->label_sends++;
  g_task_run_in_thread (task, send_label_pdf_thread);
  return TRUE;
}

static gboolean
print_labels (TillProductsView *self, guint copies, guint *out_n, GError **error)
{
  TillPrinterMonitor *monitor = get_printer_monitor (self);
  g_autoptr (GArray) ids = label_product_ids (self);
  g_autoptr (GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GPtrArray) barcodes = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GArray) labels = g_array_new (FALSE, TRUE, sizeof (TillShelfLabel));
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *day = g_date_time_format (now, "%Y-%m-%d");

  g_autofree char *label_printer = till_store_get_setting (get_store (self), LABEL_PRINTER_SETTING);

  if (label_printer != NULL && *label_printer == '\0')
    g_clear_pointer (&label_printer, g_free);

  if (monitor == NULL && label_printer == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   _ ("No receipt printer is configured."));
      return FALSE;
    }
  if (ids->len == 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _ ("Tick the products to label, or open one."));
      return FALSE;
    }
  g_array_sort (ids, compare_ids);
  for (guint i = 0; i < ids->len; i++)
    {
      gint64       id = g_array_index (ids, gint64, i);
      TillProduct *product =
          till_catalog_lookup_id (till_session_get_catalog (self->session), id, error);
      GStrv          codes;
      TillShelfLabel label;

      if (product == NULL)
        return FALSE;
      g_ptr_array_add (products, product);
      codes = till_product_admin_get_barcodes (get_store (self), id, error);
      if (codes == NULL && error != NULL && *error != NULL)
        return FALSE;
      g_ptr_array_add (barcodes, codes);
      till_shelf_label_init_from_product (&label, product,
                                          codes != NULL && codes[0] != NULL ? codes[0] : NULL, day);
      for (guint copy = 0; copy < copies; copy++)
        g_array_append_val (labels, label);
    }
  if (label_printer != NULL)
    {
      if (!send_labels_to_label_printer (self, label_printer, (const TillShelfLabel *) labels->data,
                                         labels->len, error))
        return FALSE;
    }
  else if (!till_printer_monitor_queue_labels (monitor, (const TillShelfLabel *) labels->data,
                                               labels->len, &self->last_label_job, error))
    return FALSE;
  *out_n = labels->len;
  return TRUE;
}

/* ---- Actions ------------------------------------------------------------------------------- */

static void
close_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  g_signal_emit (widget, signals[SIGNAL_CLOSED], 0);
}

static void
search_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);

  /* The entry's own signal would search again after its delay: once is
   * enough, now. */
  set_search_text (self, g_variant_get_string (parameter, NULL));
  search_changed_cb (self);
}

static void
new_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);

  if (!check_signed_in (self))
    return;
  set_message (self, NULL, FALSE);
  open_editor (self, 0);
  update_label_hint (self);
  gtk_widget_grab_focus (field (self, "sku"));
}

static void
select_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);

  if (!check_signed_in (self))
    return;
  set_message (self, NULL, FALSE);
  open_editor (self, g_variant_get_int64 (parameter));
  update_label_hint (self);
}

static void
cancel_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);

  self->editing_id = 0;
  g_clear_object (&self->editing);
  gtk_stack_set_visible_child_name (GTK_STACK (self->pane_stack), "empty");
  update_label_hint (self);
}

static void
save_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  g_autoptr (GError) error = NULL;
  ProductAct *act;

  if (!check_signed_in (self))
    return;
  if (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (self->pane_stack)), "editor") != 0)
    {
      set_message (self, _ ("Open a product first."), TRUE);
      return;
    }
  act = read_editor (self, &error);
  if (act == NULL)
    {
      set_message (self, error->message, TRUE);
      return;
    }
  act_start (self, act);
}

static void
set_active_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  ProductAct       *act;

  if (!check_signed_in (self))
    return;
  if (self->editing == NULL)
    {
      set_message (self, _ ("Open a product first."), TRUE);
      return;
    }
  act = product_act_new (ACT_SET_ACTIVE);
  act->product_id = self->editing_id;
  act->active = g_variant_get_boolean (parameter);
  act_start (self, act);
}

static void
new_category_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  gboolean          show = !gtk_widget_get_visible (self->new_category_box);

  gtk_widget_set_visible (self->new_category_box, show);
  if (show)
    gtk_widget_grab_focus (field (self, "new-category"));
}

static void
add_category_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  ProductAct       *act;

  if (!check_signed_in (self))
    return;
  act = product_act_new (ACT_ADD_CATEGORY);
  act->text = g_strstrip (g_variant_dup_string (parameter, NULL));
  act_start (self, act);
}

static void
add_category_clicked_cb (TillProductsView *self)
{
  g_autofree char *path = field_text (self, "new-category");

  gtk_widget_activate_action (GTK_WIDGET (self), "products.add-category", "s", path);
}

static void
import_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  const char       *path = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  ProductAct *act;

  if (!check_signed_in (self))
    return;
  rows = till_sheet_read (path, &error);
  if (rows == NULL)
    {
      g_autofree char *message =
          g_strdup_printf (_ ("%1$s cannot be read: %2$s"), path, error->message);

      set_message (self, message, TRUE);
      return;
    }
  act = product_act_new (ACT_IMPORT);
  act->rows = g_steal_pointer (&rows);
  act->text = g_strdup (path);
  act_start (self, act);
}

static void
export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  const char       *path = g_variant_get_string (parameter, NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *done = NULL;
  guint            n = 0;

  if (!check_signed_in (self))
    return;
  if (!export_to (self, path, &n, &error))
    {
      g_autofree char *message =
          g_strdup_printf (_ ("%1$s cannot be written: %2$s"), path, error->message);

      set_message (self, message, TRUE);
      return;
    }
  done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%1$u product exported to %2$s",
                                       "%1$u products exported to %2$s", n),
                          n, path);
  set_message (self, done, FALSE);
}

static void
close_import_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);

  gtk_stack_set_visible_child_name (GTK_STACK (self->pane_stack),
                                    self->editing != NULL || self->editing_id != 0 ? "editor"
                                                                                   : "empty");
}

static void
print_labels_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  g_autoptr (GError) error = NULL;
  g_autofree char *done = NULL;
  int              copies = g_variant_get_int32 (parameter);
  guint            n = 0;

  if (!check_signed_in (self))
    return;
  if (copies < 1 || copies > 100)
    {
      set_message (self, _ ("Print between 1 and 100 copies of a label."), TRUE);
      return;
    }
  if (!print_labels (self, (guint) copies, &n, &error))
    {
      set_message (self, error->message, TRUE);
      return;
    }
  done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u label sent to the printer",
                                       "%u labels sent to the printer", n),
                          n);
  set_message (self, done, FALSE);
}

static void
print_clicked_cb (TillProductsView *self)
{
  int copies = gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (self->copies_spin));

  gtk_widget_activate_action (GTK_WIDGET (self), "products.print-labels", "i", copies);
}

static void
toggle_label_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (widget);
  gint64            id = g_variant_get_int64 (parameter);
  GtkWidget        *check = g_hash_table_lookup (self->label_checks, &id);

  if (check != NULL)
    {
      /* Its "toggled" handler keeps the set. */
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check),
                                   !gtk_check_button_get_active (GTK_CHECK_BUTTON (check)));
      return;
    }
  if (!g_hash_table_remove (self->label_ids, &id))
    g_hash_table_add (self->label_ids, id_key (id));
  update_label_hint (self);
}

/* ---- Choosing files ---------------------------------------------------------------------- */

static void
chooser_response_cb (GtkNativeDialog *dialog, int response, TillProductsView *self)
{
  gboolean saving =
      gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)) == GTK_FILE_CHOOSER_ACTION_SAVE;
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
  if (file != NULL)
    path = g_file_get_path (file);
  if (dialog == self->chooser)
    g_clear_object (&self->chooser);
  if (path == NULL)
    return;
  if (saving && !g_str_has_suffix (path, ".csv") && !g_str_has_suffix (path, ".xlsx"))
    {
      char *with_extension = g_strconcat (path, ".xlsx", NULL);

      g_free (path);
      path = with_extension;
    }
  gtk_widget_activate_action (GTK_WIDGET (self), saving ? "products.export" : "products.import",
                              "s", path);
}

static void
open_chooser (TillProductsView *self, gboolean saving)
{
  GtkFileChooserNative *chooser;
  g_autoptr (GtkFileFilter) filter = gtk_file_filter_new ();

  if (!check_signed_in (self))
    return;
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  chooser = gtk_file_chooser_native_new (
      saving ? _ ("Export products") : _ ("Import products"), get_parent_window (self),
      saving ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN,
      saving ? _ ("Export") : _ ("Import"), _ ("Cancel"));
  gtk_file_filter_set_name (filter, _ ("Spreadsheets (CSV, XLSX)"));
  gtk_file_filter_add_pattern (filter, "*.csv");
  gtk_file_filter_add_pattern (filter, "*.xlsx");
  gtk_file_filter_add_pattern (filter, "*.CSV");
  gtk_file_filter_add_pattern (filter, "*.XLSX");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  if (saving)
    gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "products.xlsx");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (chooser_response_cb), self);
  self->chooser = GTK_NATIVE_DIALOG (chooser);
  gtk_native_dialog_show (self->chooser);
}

static void
choose_import_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  open_chooser (TILL_PRODUCTS_VIEW (widget), FALSE);
}

static void
choose_export_action (GtkWidget *widget, const char *action_name, GVariant *parameter)
{
  open_chooser (TILL_PRODUCTS_VIEW (widget), TRUE);
}

/* ---- Building the editor --------------------------------------------------------------------- */

/* A field with its caption above it, at (@column, @row) of the grid. */
static GtkWidget *
add_field (TillProductsView *self,
           const char       *caption,
           const char       *name,
           GtkWidget        *widget,
           int               column,
           int               row,
           int               width)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *label = gtk_label_new (caption);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), widget);
  gtk_grid_attach (GTK_GRID (self->form_grid), box, column, row, width, 1);
  if (name != NULL)
    g_hash_table_insert (self->fields, g_strdup (name), widget);
  return widget;
}

static GtkWidget *
new_entry (const char *placeholder, GtkInputPurpose purpose)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_widget_set_size_request (entry, -1, 48);
  gtk_widget_set_hexpand (entry, TRUE);
  gtk_entry_set_input_purpose (GTK_ENTRY (entry), purpose);
  if (placeholder != NULL)
    gtk_entry_set_placeholder_text (GTK_ENTRY (entry), placeholder);
  return entry;
}

static GtkWidget *
new_switch (void)
{
  GtkWidget *widget = gtk_switch_new ();

  gtk_widget_set_halign (widget, GTK_ALIGN_START);
  gtk_widget_set_size_request (widget, 72, 40);
  return widget;
}

static GtkWidget *
new_category_row (TillProductsView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *drop_down = gtk_drop_down_new (NULL, NULL);
  GtkWidget *button = gtk_button_new_with_label (_ ("New…"));
  g_autoptr (GtkExpression) expression =
      gtk_property_expression_new (GTK_TYPE_STRING_OBJECT, NULL, "string");

  gtk_drop_down_set_expression (GTK_DROP_DOWN (drop_down), expression);
  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop_down), TRUE);
  gtk_widget_set_hexpand (drop_down, TRUE);
  gtk_widget_set_size_request (drop_down, -1, 48);
  gtk_widget_set_size_request (button, 96, 48);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "products.new-category");
  gtk_box_append (GTK_BOX (box), drop_down);
  gtk_box_append (GTK_BOX (box), button);
  g_hash_table_insert (self->fields, g_strdup ("category"), drop_down);
  return box;
}

static GtkWidget *
new_new_category_box (TillProductsView *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *entry = new_entry (_ ("e.g. 饮料/茶饮"), GTK_INPUT_PURPOSE_FREE_FORM);
  GtkWidget *button = gtk_button_new_with_label (_ ("Add category"));

  gtk_widget_set_size_request (button, 140, 48);
  g_signal_connect_swapped (button, "clicked", G_CALLBACK (add_category_clicked_cb), self);
  g_signal_connect_swapped (entry, "activate", G_CALLBACK (add_category_clicked_cb), self);
  gtk_box_append (GTK_BOX (box), entry);
  gtk_box_append (GTK_BOX (box), button);
  g_hash_table_insert (self->fields, g_strdup ("new-category"), entry);
  gtk_widget_set_visible (box, FALSE);
  return box;
}

static void
build_editor (TillProductsView *self)
{
  int row = 0;

  add_field (self, _ ("SKU"), "sku", new_entry (NULL, GTK_INPUT_PURPOSE_FREE_FORM), 0, row, 1);
  add_field (self, _ ("PLU (scale)"), "plu", new_entry (NULL, GTK_INPUT_PURPOSE_DIGITS), 1, row++,
             1);
  add_field (self, _ ("Product name"), "name", new_entry (NULL, GTK_INPUT_PURPOSE_FREE_FORM), 0,
             row++, 2);
  add_field (self, _ ("Barcodes (several: separate with commas)"), "barcodes",
             new_entry (_ ("e.g. 6901234567892, 6901234567908"), GTK_INPUT_PURPOSE_FREE_FORM), 0,
             row++, 2);
  add_field (self, _ ("Price (yuan)"), "price", new_entry ("0.00", GTK_INPUT_PURPOSE_NUMBER), 0,
             row, 1);
  add_field (self, _ ("Member price (yuan)"), "member-price",
             new_entry (_ ("empty: the price"), GTK_INPUT_PURPOSE_NUMBER), 1, row++, 1);
  add_field (self, _ ("Cost (yuan)"), "cost", new_entry ("0.00", GTK_INPUT_PURPOSE_NUMBER), 0, row,
             1);
  add_field (self, _ ("VAT rate (%)"), "vat", new_entry ("13", GTK_INPUT_PURPOSE_NUMBER), 1, row++,
             1);
  add_field (self, _ ("Unit"), "unit",
             new_entry (_ ("e.g. 瓶, 个, kg"), GTK_INPUT_PURPOSE_FREE_FORM), 0, row, 1);
  add_field (self, _ ("Brand"), "brand", new_entry (NULL, GTK_INPUT_PURPOSE_FREE_FORM), 1, row++,
             1);
  add_field (self, _ ("Category"), NULL, new_category_row (self), 0, row++, 2);
  self->new_category_box = new_new_category_box (self);
  gtk_grid_attach (GTK_GRID (self->form_grid), self->new_category_box, 0, row++, 2, 1);
  add_field (self, _ ("Sold by weight"), "weighed", new_switch (), 0, row, 1);
  add_field (self, _ ("On sale"), "active", new_switch (), 1, row++, 1);
}

/* ---- Object ---------------------------------------------------------------------------------- */

static void
till_products_view_dispose (GObject *object)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (object);
  GtkWidget        *child;

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (self->chooser);
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (object), TILL_TYPE_PRODUCTS_VIEW);
  /* The template's top box is not a bound child: unparent it here. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->editing);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (till_products_view_parent_class)->dispose (object);
}

static void
till_products_view_finalize (GObject *object)
{
  TillProductsView *self = TILL_PRODUCTS_VIEW (object);

  g_free (self->message);
  g_free (self->import_text);
  g_clear_pointer (&self->pending, product_act_free);
  g_hash_table_unref (self->fields);
  g_hash_table_unref (self->label_ids);
  g_hash_table_unref (self->label_checks);
  g_hash_table_unref (self->row_texts);
  g_array_unref (self->category_ids);
  G_OBJECT_CLASS (till_products_view_parent_class)->finalize (object);
}

static void
till_products_view_class_init (TillProductsViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = till_products_view_dispose;
  object_class->finalize = till_products_view_finalize;

  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                         NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/opentill/Till/ui/till-products-view.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, message_label);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, list_note);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, product_list);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, label_hint);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, copies_spin);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, print_button);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, pane_stack);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, editor_title);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, form_grid);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, active_button);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, import_title);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, import_summary);
  gtk_widget_class_bind_template_child (widget_class, TillProductsView, problem_list);

  gtk_widget_class_install_action (widget_class, "products.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "products.search", "s", search_action);
  gtk_widget_class_install_action (widget_class, "products.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "products.select", "x", select_action);
  gtk_widget_class_install_action (widget_class, "products.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "products.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "products.set-active", "b", set_active_action);
  gtk_widget_class_install_action (widget_class, "products.new-category", NULL,
                                   new_category_action);
  gtk_widget_class_install_action (widget_class, "products.add-category", "s", add_category_action);
  gtk_widget_class_install_action (widget_class, "products.import", "s", import_action);
  gtk_widget_class_install_action (widget_class, "products.export", "s", export_action);
  gtk_widget_class_install_action (widget_class, "products.close-import", NULL,
                                   close_import_action);
  gtk_widget_class_install_action (widget_class, "products.choose-import", NULL,
                                   choose_import_action);
  gtk_widget_class_install_action (widget_class, "products.choose-export", NULL,
                                   choose_export_action);
  gtk_widget_class_install_action (widget_class, "products.print-labels", "i", print_labels_action);
  gtk_widget_class_install_action (widget_class, "products.toggle-label", "x", toggle_label_action);
}

static void
till_products_view_init (TillProductsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->label_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->label_checks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->row_texts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  self->category_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->import_text = g_strdup ("");
  build_editor (self);
  g_signal_connect_swapped (self->search_entry, "search-changed", G_CALLBACK (search_changed_cb),
                            self);
  g_signal_connect_swapped (self->search_entry, "activate", G_CALLBACK (search_changed_cb), self);
  g_signal_connect_swapped (self->print_button, "clicked", G_CALLBACK (print_clicked_cb), self);
  update_label_hint (self);
}

/* ---- Public API -------------------------------------------------------------------------------
 */

void
till_products_view_set_session (TillProductsView *self, TillSession *session)
{
  g_return_if_fail (TILL_IS_PRODUCTS_VIEW (self));
  g_return_if_fail (TILL_IS_SESSION (session));
  g_return_if_fail (self->session == NULL);

  self->session = g_object_ref (session);
}

void
till_products_view_reset (TillProductsView *self)
{
  g_return_if_fail (TILL_IS_PRODUCTS_VIEW (self));

  if (self->override_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->override_dialog));
  set_message (self, NULL, FALSE);
  self->editing_id = 0;
  g_clear_object (&self->editing);
  g_hash_table_remove_all (self->label_ids);
  g_free (self->import_text);
  self->import_text = g_strdup ("");
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (self->copies_spin), 1);
  set_search_text (self, "");
  gtk_stack_set_visible_child_name (GTK_STACK (self->pane_stack), "empty");
  load_categories (self);
  refresh_list (self);
  update_label_hint (self);
}

void
till_products_view_take_scan (TillProductsView *self, const char *code)
{
  g_return_if_fail (TILL_IS_PRODUCTS_VIEW (self));
  g_return_if_fail (code != NULL);

  gtk_widget_activate_action (GTK_WIDGET (self), "products.search", "s", code);
}

const char *
till_products_view_get_pane (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), NULL);
  return gtk_stack_get_visible_child_name (GTK_STACK (self->pane_stack));
}

const char *
till_products_view_get_message (TillProductsView *self, gboolean *out_is_error)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), NULL);

  if (out_is_error != NULL)
    *out_is_error = gtk_widget_has_css_class (self->message_label, "status-error");
  return self->message != NULL ? self->message : "";
}

gint64
till_products_view_get_editing_id (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), 0);
  return self->editing_id;
}

GtkWidget *
till_products_view_get_field (TillProductsView *self, const char *name)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_str_equal (name, "search"))
    return self->search_entry;
  if (g_str_equal (name, "copies"))
    return self->copies_spin;
  if (g_str_equal (name, "print"))
    return self->print_button;
  return g_hash_table_lookup (self->fields, name);
}

guint
till_products_view_get_n_rows (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), 0);
  return g_hash_table_size (self->row_texts);
}

char *
till_products_view_dup_row_text (TillProductsView *self, gint64 product_id)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), NULL);
  return g_strdup (g_hash_table_lookup (self->row_texts, &product_id));
}

const char *
till_products_view_get_import_text (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), NULL);
  return self->import_text;
}

TillOverrideDialog *
till_products_view_get_override_dialog (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), NULL);
  return self->override_dialog;
}

guint
till_products_view_get_label_sends (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), 0);
  return self->label_sends;
}

gint64
till_products_view_get_last_label_job (TillProductsView *self)
{
  g_return_val_if_fail (TILL_IS_PRODUCTS_VIEW (self), 0);
  return self->last_label_job;
}
