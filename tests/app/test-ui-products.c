/* test-ui-products.c: /app/ui/products: the real till under Xvfb, on the demo
 * store: the manager opens the products page, searches, scans a barcode
 * into the search, changes a price (the catalog and the sale screen then
 * use it), makes a category and a product with a barcode, imports a CSV
 * with two bad rows (nothing is imported, both rows are named) and a good
 * XLSX (its products are made), exports the catalog to XLSX and reads it
 * back, and prints shelf labels through the print queue; a cashier who
 * saves a price is asked for a supervisor.
 *
 * Screens go to the test output folder products/, and so does the label
 * paper as the simulated printer renders it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <sqlite3.h>
#include <till-sheet.h>

#include "till-app-test-util.h"
#include "till-application.h"
#include "till-override-dialog.h"
#include "till-products-view.h"
#include "till-test-util.h"
#include "till-ui-test-util.h"
#include "till-window.h"

#define DEMO_SKUS 300
#define DEMO_SEED 11
#define WAIT_MS TILL_TEST_WAIT_MS
#define OUTPUT_DIR "products"

typedef struct
{
  char             *dir;
  char             *db_path;
  char             *config_path;
  char             *receipt_dir;
  TillApplication  *app;
  TillWindow       *window;
  TillSession      *session;
  TillProductsView *view;
} Fixture;

/* ---- The store ---------------------------------------------------------------- */

static gint64
single_int (TillStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64        value = -1;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
single_text (TillStore *store, const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char         *text = NULL;

  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store), sql, -1, &stmt, NULL),
                    SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return text;
}

static TillStore *
get_store (Fixture *fixture)
{
  return till_session_get_store (fixture->session);
}

static TillCatalog *
get_catalog (Fixture *fixture)
{
  return till_session_get_catalog (fixture->session);
}

static gint64
count_products (Fixture *fixture)
{
  return single_int (get_store (fixture), "SELECT count(*) FROM product");
}

/* A product the cashier sells by the piece, with an EAN-13 barcode. */
static char *
pick_barcode (Fixture *fixture)
{
  char *barcode = single_text (
      get_store (fixture),
      "SELECT b.code FROM barcode b JOIN product p ON p.id = b.product_id "
      "WHERE p.active AND NOT p.weighed AND length(b.code) = 13 AND p.price BETWEEN 300 AND 3000 "
      "ORDER BY p.id LIMIT 1");

  ck_assert_ptr_nonnull (barcode);
  return barcode;
}

static TillProduct *
lookup_barcode (Fixture *fixture, const char *barcode)
{
  g_autoptr (GError) error = NULL;
  TillProduct *product = till_catalog_lookup_barcode (get_catalog (fixture), barcode, &error);

  ck_assert_msg (product != NULL, "%s: %s", barcode, error ? error->message : "");
  return product;
}

/* A valid EAN-13 that the demo store does not carry. */
static char *
new_barcode (Fixture *fixture, const char *twelve_digits)
{
  char *barcode = till_barcode_ean13_complete (twelve_digits);
  g_autoptr (TillProduct) product = NULL;

  ck_assert_ptr_nonnull (barcode);
  product = till_catalog_lookup_barcode (get_catalog (fixture), barcode, NULL);
  ck_assert_ptr_null (product);
  return barcode;
}

/* ---- The till ------------------------------------------------------------------- */

static GtkWidget *
find_widget_of_type (GtkWidget *widget, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    return widget;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
fixture_setup (Fixture *fixture)
{
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *config = NULL;

  fixture->dir = till_test_make_tmpdir ();
  fixture->db_path = g_build_filename (fixture->dir, "till.db", NULL);
  fixture->config_path = g_build_filename (fixture->dir, "till.conf", NULL);
  fixture->receipt_dir = g_build_filename (fixture->dir, "receipts", NULL);
  ck_assert_int_eq (g_mkdir_with_parents (fixture->receipt_dir, 0700), 0);
  config = g_strdup_printf ("[till]\ndatabase=%s\nlanguage=zh_CN\n"
                            "[devices]\nprinter=sim://printer?dir=%s&width=80\n",
                            fixture->db_path, fixture->receipt_dir);
  ck_assert (g_file_set_contents (fixture->config_path, config, -1, NULL));

  store = till_store_open (fixture->db_path, &error);
  ck_assert_msg (store != NULL, "%s", error ? error->message : "");
  ck_assert_msg (till_demo_populate (store, DEMO_SKUS, DEMO_SEED, &error), "%s",
                 error ? error->message : "");
  g_clear_object (&store); /* the till takes the lock */

  fixture->window = till_test_start_till (NULL, fixture->config_path, FALSE, &fixture->app);
  fixture->session = till_window_get_session (fixture->window);
  ck_assert_msg (fixture->session != NULL, "%s", till_application_get_startup_error (fixture->app));
  fixture->view = TILL_PRODUCTS_VIEW (
      find_widget_of_type (GTK_WIDGET (fixture->window), TILL_TYPE_PRODUCTS_VIEW));
  ck_assert_ptr_nonnull (fixture->view);
}

static void
fixture_teardown (Fixture *fixture)
{
  if (fixture->window != NULL)
    gtk_window_destroy (GTK_WINDOW (fixture->window));
  g_clear_object (&fixture->app);
  till_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
  g_free (fixture->config_path);
  g_free (fixture->receipt_dir);
}

static void
activate (Fixture *fixture, const char *name, GVariant *parameter)
{
  till_test_activate (fixture->window, name, parameter);
}

static void
screenshot (Fixture *fixture, GtkWidget *widget, const char *name)
{
  till_test_wait_for_frames (widget != NULL ? widget : GTK_WIDGET (fixture->window), 2);
  till_test_save_screenshot_in (widget != NULL ? widget : GTK_WIDGET (fixture->window), OUTPUT_DIR,
                                name);
}

static void
set_field (Fixture *fixture, const char *name, const char *text)
{
  GtkWidget *widget = till_products_view_get_field (fixture->view, name);

  ck_assert_msg (GTK_IS_EDITABLE (widget), "no field %s", name);
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

static const char *
get_field (Fixture *fixture, const char *name)
{
  GtkWidget *widget = till_products_view_get_field (fixture->view, name);

  ck_assert_msg (GTK_IS_EDITABLE (widget), "no field %s", name);
  return gtk_editable_get_text (GTK_EDITABLE (widget));
}

static void
assert_message_ok (Fixture *fixture)
{
  gboolean    is_error = TRUE;
  const char *message = till_products_view_get_message (fixture->view, &is_error);

  ck_assert_msg (!is_error && *message != '\0', "the page says: %s", message);
}

static void
open_products_page (Fixture *fixture)
{
  activate (fixture, "win.products", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "products");
  ck_assert_str_eq (till_products_view_get_pane (fixture->view), "empty");
}

/* ---- Printed papers ------------------------------------------------------------ */

static guint
count_pngs (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint       n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_suffix (name, ".png"))
      n++;
  return n;
}

typedef struct
{
  TillStore *store;
  gint64     job;
} JobWait;

static gboolean
job_printed (gpointer data)
{
  JobWait *wait = data;
  g_autoptr (TillPrintJob) job = till_print_queue_get (wait->store, wait->job, NULL);

  return job != NULL && job->state == TILL_PRINT_JOB_DONE;
}

typedef struct
{
  const char *dir;
  guint       wanted;
} PngWait;

static gboolean
enough_pngs (gpointer data)
{
  PngWait *wait = data;

  return count_pngs (wait->dir) >= wait->wanted;
}

/* ---- The manager's day ---------------------------------------------------------- */

static void
search_and_edit_price (Fixture *fixture, const char *barcode)
{
  g_autoptr (TillProduct) before = lookup_barcode (fixture, barcode);
  g_autoptr (TillProduct) after = NULL;
  gint64           id = till_product_get_id (before);
  gint64           new_price = till_product_get_price (before) + 123;
  g_autofree char *price_text = till_money_format (new_price);
  g_autofree char *row = NULL;
  TillCart        *cart;

  /* By SKU: the product is listed. */
  activate (fixture, "products.search", g_variant_new_string (till_product_get_sku (before)));
  row = till_products_view_dup_row_text (fixture->view, id);
  ck_assert_msg (row != NULL, "%s is not listed", till_product_get_sku (before));
  ck_assert (g_str_has_prefix (row, till_product_get_sku (before)));
  ck_assert_ptr_nonnull (strstr (row, "\tactive"));
  screenshot (fixture, NULL, "02-search.png");

  /* A scanned barcode opens its product. */
  activate (fixture, "products.search", g_variant_new_string (barcode));
  ck_assert_str_eq (till_products_view_get_pane (fixture->view), "editor");
  ck_assert_int_eq (till_products_view_get_editing_id (fixture->view), id);
  ck_assert_str_eq (get_field (fixture, "sku"), till_product_get_sku (before));
  ck_assert_ptr_nonnull (strstr (get_field (fixture, "barcodes"), barcode));
  screenshot (fixture, NULL, "03-editor.png");

  set_field (fixture, "price", price_text);
  activate (fixture, "products.save", NULL);
  assert_message_ok (fixture);
  after = lookup_barcode (fixture, barcode);
  ck_assert_int_eq (till_product_get_price (after), new_price);
  /* The rest is as it was. */
  ck_assert_str_eq (till_product_get_name (after), till_product_get_name (before));
  ck_assert_int_eq (till_product_get_member_price (after), till_product_get_member_price (before));
  ck_assert_int_eq (till_product_get_vat_rate (after), till_product_get_vat_rate (before));
  ck_assert_int_eq (till_product_get_category_id (after), till_product_get_category_id (before));
  screenshot (fixture, NULL, "04-price-saved.png");

  /* The sale screen sells at the new price. */
  activate (fixture, "products.close", NULL);
  ck_assert_str_eq (till_window_get_page (fixture->window), "checkout");
  cart = till_session_get_cart (fixture->session);
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 0);
  activate (fixture, "sale.scan", g_variant_new_string (barcode));
  ck_assert_uint_eq (till_cart_get_n_lines (cart), 1);
  ck_assert_int_eq (till_cart_line_get_unit_price (till_cart_get_line (cart, 0)), new_price);
}

static void
create_product (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *barcode = new_barcode (fixture, "697100000001");
  g_autofree char *second = new_barcode (fixture, "697100000002");
  g_autofree char *codes = g_strdup_printf ("%s, %s", barcode, second);
  g_autofree char *path = NULL;
  g_autoptr (TillProduct) product = NULL;
  g_autoptr (TillProduct) same = NULL;
  g_auto (GStrv) barcodes = NULL;
  gint64 before = count_products (fixture);

  open_products_page (fixture);
  activate (fixture, "products.new", NULL);
  ck_assert_str_eq (till_products_view_get_pane (fixture->view), "editor");
  ck_assert_int_eq (till_products_view_get_editing_id (fixture->view), 0);

  /* A new category, two levels deep, chosen for the product. */
  activate (fixture, "products.new-category", NULL);
  set_field (fixture, "new-category", "测试饮品/冷泡茶");
  screenshot (fixture, NULL, "05-new-category.png");
  activate (fixture, "products.add-category", g_variant_new_string ("测试饮品/冷泡茶"));
  assert_message_ok (fixture);

  set_field (fixture, "sku", "UIT-0001");
  set_field (fixture, "name", "冷泡乌龙茶 500ml");
  set_field (fixture, "barcodes", codes);
  set_field (fixture, "price", "6.80");
  set_field (fixture, "member-price", "5.90");
  set_field (fixture, "cost", "3.20");
  set_field (fixture, "vat", "13");
  set_field (fixture, "unit", "瓶");
  screenshot (fixture, NULL, "06-new-product.png");
  activate (fixture, "products.save", NULL);
  assert_message_ok (fixture);
  ck_assert_int_eq (count_products (fixture), before + 1);

  product = lookup_barcode (fixture, barcode);
  ck_assert_str_eq (till_product_get_sku (product), "UIT-0001");
  ck_assert_str_eq (till_product_get_name (product), "冷泡乌龙茶 500ml");
  ck_assert_int_eq (till_product_get_price (product), 680);
  ck_assert_int_eq (till_product_get_member_price (product), 590);
  ck_assert_int_eq (till_product_get_cost (product), 320);
  ck_assert_int_eq (till_product_get_vat_rate (product), 1300);
  ck_assert_str_eq (till_product_get_unit (product), "瓶");
  ck_assert (till_product_get_active (product));
  same = lookup_barcode (fixture, second);
  ck_assert_int_eq (till_product_get_id (same), till_product_get_id (product));
  path = till_product_admin_get_category_path (get_store (fixture),
                                               till_product_get_category_id (product), &error);
  ck_assert_msg (path != NULL, "%s", error ? error->message : "");
  ck_assert_str_eq (path, "测试饮品/冷泡茶");
  barcodes =
      till_product_admin_get_barcodes (get_store (fixture), till_product_get_id (product), &error);
  ck_assert_uint_eq (g_strv_length (barcodes), 2);
  /* The editor now shows the product as saved. */
  ck_assert_int_eq (till_products_view_get_editing_id (fixture->view),
                    till_product_get_id (product));

  /* Deactivated, the sale screen no longer finds it; activated, again. */
  activate (fixture, "products.set-active", g_variant_new_boolean (FALSE));
  assert_message_ok (fixture);
  ck_assert_ptr_null (till_catalog_lookup_barcode (get_catalog (fixture), barcode, NULL));
  {
    g_autofree char *row =
        till_products_view_dup_row_text (fixture->view, till_product_get_id (product));

    /* The new product is listed (the page searched its SKU), as inactive. */
    ck_assert_ptr_nonnull (row);
    ck_assert_ptr_nonnull (strstr (row, "\tinactive"));
  }
  screenshot (fixture, NULL, "07-deactivated.png");
  activate (fixture, "products.set-active", g_variant_new_boolean (TRUE));
  assert_message_ok (fixture);
  g_clear_object (&same);
  same = lookup_barcode (fixture, barcode);
}

static void
write_csv (const char *path, const char *contents)
{
  ck_assert (g_file_set_contents (path, contents, -1, NULL));
}

static void
import_bad_csv (Fixture *fixture)
{
  g_autofree char *path = g_build_filename (fixture->dir, "bad.csv", NULL);
  g_autofree char *good = new_barcode (fixture, "697100000011");
  g_autofree char *csv = g_strdup_printf ("sku,name,barcode,price,vat\n"
                                          "UIT-0101,好的一行,%s,3.50,13\n"
                                          "UIT-0102,价格不对,,abc,13\n"
                                          "UIT-0103,,,4.00,13\n"
                                          "UIT-0104,也是好的,,5.00,13\n",
                                          good);
  gint64           before = count_products (fixture);
  gboolean         is_error = FALSE;
  const char      *text;
  g_auto (GStrv) lines = NULL;

  write_csv (path, csv);
  activate (fixture, "products.import", g_variant_new_string (path));
  ck_assert_str_eq (till_products_view_get_pane (fixture->view), "import");
  till_products_view_get_message (fixture->view, &is_error);
  ck_assert (is_error);
  /* Nothing at all was imported, not even the good rows. */
  ck_assert_int_eq (count_products (fixture), before);
  ck_assert_ptr_null (till_catalog_lookup_barcode (get_catalog (fixture), good, NULL));

  /* The summary, then the two bad rows (3 and 4 as a spreadsheet counts). */
  text = till_products_view_get_import_text (fixture->view);
  lines = g_strsplit (text, "\n", -1);
  ck_assert_msg (g_strv_length (lines) == 3, "%s", text);
  ck_assert_msg (strstr (lines[1], "3") != NULL && strstr (lines[1], "abc") != NULL, "%s", text);
  ck_assert_msg (strstr (lines[2], "4") != NULL, "%s", text);
  screenshot (fixture, NULL, "08-import-bad-rows.png");
}

static void
import_good_xlsx (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "good.xlsx", NULL);
  g_autofree char *first = new_barcode (fixture, "697100000021");
  g_autofree char *second = new_barcode (fixture, "697100000022");
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  const TillSheetCellKind kinds[] = { TILL_SHEET_CELL_TEXT,   TILL_SHEET_CELL_TEXT,
                                      TILL_SHEET_CELL_TEXT,   TILL_SHEET_CELL_NUMBER,
                                      TILL_SHEET_CELL_NUMBER, TILL_SHEET_CELL_TEXT,
                                      TILL_SHEET_CELL_TEXT };
  g_autoptr (TillProduct) product = NULL;
  gint64   before = count_products (fixture);
  gboolean is_error = TRUE;

  g_ptr_array_add (rows, g_strsplit ("编码|名称|条码|售价|会员价|单位|分类", "|", -1));
  g_ptr_array_add (rows,
                   g_strsplit_set ("UIT-0201|进口饼干 120g|X|12.80|11.50|袋|测试饮品", "|", -1));
  g_ptr_array_add (rows,
                   g_strsplit_set ("UIT-0202|进口薯片 70g|X|8.50||袋|测试零食/薯片", "|", -1));
  g_ptr_array_add (rows, g_strsplit_set ("UIT-0203|散装坚果||39.90||kg|", "|", -1));
  /* The barcodes, put in here: g_strsplit_set would not know them. */
  g_free (((GStrv) g_ptr_array_index (rows, 1))[2]);
  ((GStrv) g_ptr_array_index (rows, 1))[2] = g_strdup (first);
  g_free (((GStrv) g_ptr_array_index (rows, 2))[2]);
  ((GStrv) g_ptr_array_index (rows, 2))[2] = g_strdup (second);
  ck_assert_msg (
      till_sheet_write (path, TILL_SHEET_XLSX, "商品", rows, kinds, G_N_ELEMENTS (kinds), &error),
      "%s", error ? error->message : "");

  activate (fixture, "products.import", g_variant_new_string (path));
  ck_assert_str_eq (till_products_view_get_pane (fixture->view), "import");
  till_products_view_get_message (fixture->view, &is_error);
  ck_assert_msg (!is_error, "%s", till_products_view_get_import_text (fixture->view));
  ck_assert_int_eq (count_products (fixture), before + 3);
  product = lookup_barcode (fixture, first);
  ck_assert_str_eq (till_product_get_sku (product), "UIT-0201");
  ck_assert_int_eq (till_product_get_price (product), 1280);
  ck_assert_int_eq (till_product_get_member_price (product), 1150);
  g_clear_object (&product);
  product = lookup_barcode (fixture, second);
  ck_assert_str_eq (till_product_get_name (product), "进口薯片 70g");
  {
    g_autofree char *category = till_product_admin_get_category_path (
        get_store (fixture), till_product_get_category_id (product), &error);

    ck_assert_str_eq (category, "测试零食/薯片");
  }
  /* The list shows them. */
  activate (fixture, "products.search", g_variant_new_string ("UIT-02"));
  ck_assert_uint_ge (till_products_view_get_n_rows (fixture->view), 2);
  screenshot (fixture, NULL, "09-import-done.png");
}

static int
column_of (GStrv header, const char *name)
{
  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], name))
      return (int) i;
  ck_abort_msg ("no column %s", name);
  return -1;
}

static void
export_xlsx (Fixture *fixture, const char *edited_barcode)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (fixture->dir, "export.xlsx", NULL);
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (TillProduct) edited = lookup_barcode (fixture, edited_barcode);
  GStrv    header;
  int      sku_column, price_column, barcode_column;
  gboolean found = FALSE;

  activate (fixture, "products.export", g_variant_new_string (path));
  assert_message_ok (fixture);
  rows = till_sheet_read (path, &error);
  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  ck_assert_int_eq ((gint64) rows->len, count_products (fixture) + 1);
  header = g_ptr_array_index (rows, 0);
  sku_column = column_of (header, "sku");
  price_column = column_of (header, "price");
  barcode_column = column_of (header, "barcode");
  for (guint i = 1; i < rows->len; i++)
    {
      GStrv  row = g_ptr_array_index (rows, i);
      gint64 price = 0;

      if (g_strcmp0 (row[sku_column], till_product_get_sku (edited)) != 0)
        continue;
      found = TRUE;
      ck_assert_msg (till_money_parse (row[price_column], &price, NULL), "%s", row[price_column]);
      ck_assert_int_eq (price, till_product_get_price (edited));
      /* Barcodes stay text: all 13 digits. */
      ck_assert_ptr_nonnull (strstr (row[barcode_column], edited_barcode));
    }
  ck_assert (found);
}

static gboolean
label_sends_done (gpointer data)
{
  return till_products_view_get_label_sends (data) == 0;
}

static void
print_labels (Fixture *fixture, const char *barcode)
{
  g_autoptr (TillProduct) first = lookup_barcode (fixture, barcode);
  g_autoptr (TillPrintJob) job = NULL;
  g_autofree char *second_id_text =
      single_text (get_store (fixture), "SELECT id FROM product WHERE sku = 'UIT-0201'");
  gint64  second_id = g_ascii_strtoll (second_id_text, NULL, 10);
  guint   papers = count_pngs (fixture->receipt_dir);
  JobWait wait = { get_store (fixture), 0 };
  PngWait png_wait = { fixture->receipt_dir, papers + 1 };

  activate (fixture, "products.search", g_variant_new_string (""));
  activate (fixture, "products.toggle-label", g_variant_new_int64 (till_product_get_id (first)));
  activate (fixture, "products.toggle-label", g_variant_new_int64 (second_id));
  screenshot (fixture, NULL, "10-labels-ticked.png");
  activate (fixture, "products.print-labels", g_variant_new_int32 (2));
  assert_message_ok (fixture);
  wait.job = till_products_view_get_last_label_job (fixture->view);
  ck_assert_int_gt (wait.job, 0);
  job = till_print_queue_get (get_store (fixture), wait.job, NULL);
  ck_assert_ptr_nonnull (job);
  ck_assert_int_eq (job->kind, TILL_PRINT_JOB_LABEL);
  ck_assert_uint_gt (g_bytes_get_size (job->payload), 0);
  ck_assert_msg (till_test_wait_until (job_printed, &wait, WAIT_MS), "the label job stays queued");
  ck_assert_msg (till_test_wait_until (enough_pngs, &png_wait, WAIT_MS), "no label paper in %s",
                 fixture->receipt_dir);
  /* The simulator's paper: kept to be looked at. */
  {
    g_autoptr (GDir) dir = g_dir_open (fixture->receipt_dir, 0, NULL);
    const char      *name;
    g_autofree char *latest = NULL;

    while ((name = g_dir_read_name (dir)) != NULL)
      if (g_str_has_suffix (name, ".png") && g_strcmp0 (name, latest) > 0)
        {
          g_free (latest);
          latest = g_strdup (name);
        }
    if (latest != NULL)
      {
        g_autofree char *from = g_build_filename (fixture->receipt_dir, latest, NULL);
        g_autofree char *to = till_test_output_path (OUTPUT_DIR, "11-label-paper.png");
        g_autofree char *contents = NULL;
        gsize            length = 0;

        if (g_file_get_contents (from, &contents, &length, NULL))
          g_file_set_contents (to, contents, (gssize) length, NULL);
      }
  }
  screenshot (fixture, NULL, "12-labels-printed.png");

  /* With a label printer (here a file; in a store cups://Labels?format=pdf)
   * the same labels go out as PDF pages of the label stock's size. */
  {
    g_autofree char *dir = till_test_make_tmpdir ();
    g_autofree char *pdf_path = g_build_filename (dir, "labels.pdf", NULL);
    g_autofree char *uri = g_strconcat ("file://", pdf_path, NULL);
    g_autofree char *contents = NULL;
    g_autofree char *info = NULL;
    gsize            length = 0;
    gint64           jobs_before = wait.job;

    ck_assert (till_store_set_setting (get_store (fixture), "labels.printer", uri, NULL));
    ck_assert (till_store_set_setting (get_store (fixture), "labels.size", "50x30", NULL));
    activate (fixture, "products.print-labels", g_variant_new_int32 (1));
    assert_message_ok (fixture);
    ck_assert_msg (till_test_wait_until (label_sends_done, fixture->view, WAIT_MS),
                   "the labels never reached the label printer");
    assert_message_ok (fixture);
    ck_assert_int_eq (till_products_view_get_last_label_job (fixture->view), jobs_before);
    ck_assert (g_file_get_contents (pdf_path, &contents, &length, NULL));
    ck_assert (length > 5 && memcmp (contents, "%PDF-", 5) == 0);
    /* Two ticked products, one copy each: two pages of 50 × 30 mm. */
    if (g_find_program_in_path ("pdfinfo") != NULL)
      {
        g_autofree char *command = g_strdup_printf ("pdfinfo %s", pdf_path);

        ck_assert (g_spawn_command_line_sync (command, &info, NULL, NULL, NULL));
        ck_assert_msg (strstr (info, "Pages:           2") != NULL, "%s", info);
        ck_assert_msg (strstr (info, "141.732 x 85.0394 pts") != NULL, "%s", info);
      }
    ck_assert (till_store_set_setting (get_store (fixture), "labels.printer", "", NULL));
    till_test_remove_tree (dir);
  }
}

START_TEST (test_products_manager)
{
  Fixture          fixture = { 0 };
  g_autofree char *barcode = NULL;

  fixture_setup (&fixture);
  till_test_sign_in (fixture.window, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  barcode = pick_barcode (&fixture);

  open_products_page (&fixture);
  ck_assert_uint_gt (till_products_view_get_n_rows (fixture.view), 0);
  screenshot (&fixture, NULL, "01-list.png");

  search_and_edit_price (&fixture, barcode);
  create_product (&fixture);
  import_bad_csv (&fixture);
  import_good_xlsx (&fixture);
  export_xlsx (&fixture, barcode);
  print_labels (&fixture, barcode);

  fixture_teardown (&fixture);
}
END_TEST

static gboolean
no_override_dialog (gpointer data)
{
  return till_products_view_get_override_dialog (data) == NULL;
}

/* A cashier may look and change the form, but saving asks for a
 * supervisor; nothing changes until one approves. */
START_TEST (test_products_cashier_override)
{
  Fixture          fixture = { 0 };
  g_autofree char *barcode = NULL;
  g_autoptr (TillProduct) before = NULL;
  g_autoptr (TillProduct) unchanged = NULL;
  g_autoptr (TillProduct) after = NULL;
  g_autofree char    *price_text = NULL;
  TillOverrideDialog *dialog;
  gint64              new_price;

  fixture_setup (&fixture);
  till_test_sign_in (fixture.window, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN);
  barcode = pick_barcode (&fixture);
  before = lookup_barcode (&fixture, barcode);
  new_price = till_product_get_price (before) + 50;
  price_text = till_money_format (new_price);

  open_products_page (&fixture);
  activate (&fixture, "products.select", g_variant_new_int64 (till_product_get_id (before)));
  ck_assert_str_eq (till_products_view_get_pane (fixture.view), "editor");
  set_field (&fixture, "price", price_text);
  activate (&fixture, "products.save", NULL);

  dialog = till_products_view_get_override_dialog (fixture.view);
  ck_assert_msg (dialog != NULL, "no override asked: %s",
                 till_products_view_get_message (fixture.view, NULL));
  unchanged = lookup_barcode (&fixture, barcode);
  ck_assert_int_eq (till_product_get_price (unchanged), till_product_get_price (before));
  ck_assert (till_test_wait_until (till_test_is_mapped, dialog, WAIT_MS));
  screenshot (&fixture, GTK_WIDGET (dialog), "13-cashier-override.png");
  screenshot (&fixture, NULL, "14-cashier-refused.png");

  /* A wrong PIN is refused in the dialog; the manager's is taken. */
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, "0000");
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_ptr_eq (till_products_view_get_override_dialog (fixture.view), dialog);
  till_override_dialog_set_credentials (dialog, TILL_DEMO_MANAGER_CODE, TILL_DEMO_MANAGER_PIN);
  gtk_widget_activate_action (GTK_WIDGET (dialog), "override.approve", NULL);
  ck_assert_msg (till_test_wait_until (no_override_dialog, fixture.view, WAIT_MS),
                 "the dialog stayed open: %s", till_override_dialog_get_error (dialog));
  assert_message_ok (&fixture);
  after = lookup_barcode (&fixture, barcode);
  ck_assert_int_eq (till_product_get_price (after), new_price);
  screenshot (&fixture, NULL, "15-cashier-approved.png");

  fixture_teardown (&fixture);
}
END_TEST

static Suite *
ui_products_suite (void)
{
  Suite *suite = suite_create ("/app/ui/products");
  TCase *tcase = tcase_create ("/app/ui/products");

  tcase_set_timeout (tcase, 170);
  tcase_add_test (tcase, test_products_manager);
  tcase_add_test (tcase, test_products_cashier_override);
  suite_add_tcase (suite, tcase);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (ui_products_suite ());
}
