/* bench-receipt-encode.c: a 30-line Chinese receipt to ESC/POS bytes, ours against receiptline
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * One real cash sale of 30 lines with Chinese names in a scratch store, encoded by
 * till_receipt_encode() for the generic 80 mm profile (GB18030/GBK text, native QR, cut) N times
 * after a warm-up: p50, p99 and size. In the same run the same receipt, written in receiptline
 * markup (store header, 30 items, totals, QR, cut), goes through receiptline's
 * transform(doc, {command:'escpos', cpl:48, encoding:'gb18030'}) N times in node
 * (tests/bench/receiptline-bench.js); receiptline is installed with npm into a cache folder under
 * the build directory when missing. Without node or npm only our figures are printed.
 *
 * usage: bench-receipt-encode [ITERATIONS]   (default 1000, warm-up 100)
 */
#include "config.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "till-core.h"
#include "till-receipt.h"

#include "bench-util.h"

#define N_LINES 30
#define DEFAULT_ITERATIONS 1000
#define WARMUP 100
#define TARGET_SPEEDUP 10.0

static const char *const item_names[N_LINES] = {
  "农夫山泉饮用天然水550ml", "蒙牛纯牛奶250ml×12盒", "康师傅红烧牛肉面",   "统一老坛酸菜牛肉面",
  "可口可乐330ml",           "雪碧柠檬味汽水500ml",  "伊利安慕希酸奶205g", "旺旺雪饼84g",
  "奥利奥夹心饼干116g",      "乐事原味薯片70g",      "德芙丝滑牛奶巧克力", "绿箭薄荷口香糖",
  "金龙鱼大米5kg",           "鲁花花生油1.8L",       "海天金标生抽500ml",  "老干妈风味豆豉油辣椒",
  "双汇王中王火腿肠",        "三全猪肉白菜水饺",     "思念黑芝麻汤圆",     "维达抽纸三层120抽",
  "清风卷纸十卷装",          "立白洗衣液2kg",        "高露洁牙膏140g",     "舒肤佳香皂115g",
  "飘柔洗发露400ml",         "南孚电池5号两节",      "青岛啤酒经典500ml",  "红牛维生素功能饮料",
  "王老吉凉茶310ml",         "东鹏特饮500ml",
};

typedef struct
{
  char        *dir;
  TillStore   *store;
  TillCatalog *catalog;
  TillJournal *journal;
  TillUser    *cashier;
  TillSale    *sale;
} Shop;

static int
compare_double (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

static void
die (const char *what, GError *error)
{
  g_printerr ("bench-receipt-encode: %s: %s\n", what, error != NULL ? error->message : "failed");
  exit (EXIT_FAILURE);
}

static void
shop_open (Shop *shop)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autofree char *db = NULL;
  g_autofree char *key = NULL;
  const char      *settings[][2] = {
         { "store.name", "好邻居便利店（中关村店）" },
         { "store.address", "北京市海淀区中关村大街27号中关村大厦一层" },
         { "store.phone", "010-6255 8899" },
         { "till.id", "T01" },
         { "receipt.footer", "谢谢惠顾，欢迎再次光临！凭小票七日内可退换" },
  };

  shop->dir = g_dir_make_tmp ("opentill-bench-XXXXXX", &error);
  if (shop->dir == NULL)
    die ("scratch directory", error);
  db = g_build_filename (shop->dir, "till.db", NULL);
  key = g_build_filename (shop->dir, "till.key", NULL);
  shop->store = till_store_open (db, &error);
  if (shop->store == NULL)
    die ("store", error);
  shop->catalog = till_catalog_new (shop->store);
  shop->journal = till_journal_new (shop->store, key, &error);
  if (shop->journal == NULL)
    die ("journal", error);
  if (till_user_create (shop->store, "1001", "王小明", TILL_ROLE_CASHIER, "1234", &error) <= 0)
    die ("cashier", error);
  shop->cashier = till_user_authenticate (shop->store, "1001", "1234", &error);
  if (shop->cashier == NULL)
    die ("sign-in", error);
  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    if (!till_store_set_setting (shop->store, settings[i][0], settings[i][1], &error))
      die ("settings", error);

  cart = till_cart_new (shop->store, shop->catalog);
  for (guint i = 0; i < N_LINES; i++)
    {
      TillProductSpec  spec = { 0 };
      g_autofree char *sku = g_strdup_printf ("69%011u", i);
      g_autoptr (TillProduct) product = NULL;
      gint64 id;

      spec.sku = sku;
      spec.name = item_names[i];
      spec.unit = "件";
      spec.price = 150 + 37 * (gint64) i * (gint64) i;
      spec.cost = spec.price / 2;
      spec.vat_rate = 1300;
      spec.active = TRUE;
      id = till_catalog_add_product (shop->catalog, &spec, &error);
      if (id <= 0)
        die ("product", error);
      product = till_catalog_lookup_id (shop->catalog, id, &error);
      if (product == NULL ||
          till_cart_add_product (cart, product, (1 + i % 3) * TILL_QUANTITY_ONE, &error) == NULL)
        die ("cart", error);
    }
  /* Paid with round hundreds, so there is change. */
  shop->sale = till_sale_commit_cash (cart, shop->journal, shop->cashier,
                                      (till_cart_get_total (cart) / 10000 + 1) * 10000, &error);
  if (shop->sale == NULL)
    die ("sale", error);
}

static void
shop_close (Shop *shop)
{
  g_clear_object (&shop->sale);
  g_clear_object (&shop->cashier);
  g_clear_object (&shop->journal);
  g_clear_object (&shop->catalog);
  g_clear_object (&shop->store);
  if (shop->dir != NULL)
    {
      /* The database, its WAL and the key: nothing else lives there. */
      g_autoptr (GDir) dir = g_dir_open (shop->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename (shop->dir, name, NULL);

          g_remove (path);
        }
      g_rmdir (shop->dir);
    }
  g_clear_pointer (&shop->dir, g_free);
}

/* receiptline treats \ | { } - = ~ _ " ` ^ as markup: escape them in text. */
static void
append_escaped (GString *doc, const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (strchr ("\\|{}~_\"`^", *p) != NULL || ((*p == '-' || *p == '=') && p == text))
        g_string_append_c (doc, '\\');
      g_string_append_c (doc, *p);
    }
}

static void
append_row (GString *doc, const char *left, const char *right)
{
  append_escaped (doc, left);
  g_string_append (doc, " | ");
  append_escaped (doc, right);
  g_string_append_c (doc, '\n');
}

static char *
setting (TillStore *store, const char *key)
{
  char *value = till_store_get_setting (store, key);

  return value != NULL ? value : g_strdup ("");
}

/* The receipt till_receipt_encode() prints, in receiptline markup, line for line. */
static char *
receiptline_document (Shop *shop)
{
  TillSale        *sale = shop->sale;
  GString         *doc = g_string_new (NULL);
  g_autofree char *name = setting (shop->store, "store.name");
  g_autofree char *address = setting (shop->store, "store.address");
  g_autofree char *phone = setting (shop->store, "store.phone");
  g_autofree char *footer = setting (shop->store, "receipt.footer");
  g_autofree char *receipt_no = till_sale_format_receipt_no (sale);
  g_autoptr (GDateTime) created = till_sale_get_created (sale);
  g_autofree char *time = g_date_time_format (created, "%Y-%m-%d %H:%M:%S");
  g_autofree char *cashier = g_strdup_printf ("%s (%s)", till_sale_get_cashier_name (sale),
                                              till_sale_get_cashier_code (sale));
  g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, till_sale_get_item_count (sale));
  g_autofree char *subtotal = till_money_format (till_sale_get_subtotal (sale));
  g_autofree char *total = till_money_format_yuan (till_sale_get_total (sale));
  g_autofree char *cash = till_money_format (till_sale_get_tendered (sale));
  g_autofree char *change = till_money_format (till_sale_get_change (sale));
  g_autofree char *qr = till_receipt_qr_payload (sale);
  g_autofree char *tel = g_strdup_printf ("Tel: %s", phone);

  /* Header, centred: the store name in double size and bold. */
  g_string_append (doc, "^^^\"");
  append_escaped (doc, name);
  g_string_append (doc, "\n");
  append_escaped (doc, address);
  g_string_append (doc, "\n");
  append_escaped (doc, tel);
  g_string_append (doc, "\n-\n");
  append_row (doc, "Receipt", receipt_no);
  append_row (doc, "Date", time);
  append_row (doc, "Cashier", cashier);
  g_string_append (doc, "-\n");
  for (guint i = 0; i < till_sale_get_n_lines (sale); i++)
    {
      const TillSaleLine *line = till_sale_get_line (sale, i);
      g_autofree char    *quantity = till_quantity_format (line->quantity);
      g_autofree char    *price = till_money_format (line->unit_price);
      g_autofree char    *amount = till_money_format (line->amount);
      g_autofree char    *detail = g_strdup_printf ("  %s × %s", quantity, price);

      g_string_append (doc, "|");
      append_escaped (doc, line->name);
      g_string_append (doc, " |\n");
      /* Leading spaces are alignment in receiptline: ~ is a kept space. */
      g_string_append (doc, "~~");
      append_escaped (doc, detail + 2);
      g_string_append (doc, " | ");
      append_escaped (doc, amount);
      g_string_append_c (doc, '\n');
    }
  g_string_append (doc, "-\n");
  append_row (doc, "Items", count);
  append_row (doc, "Subtotal", subtotal);
  g_string_append (doc, "^^^\"Total | ^^^\"");
  append_escaped (doc, total);
  g_string_append_c (doc, '\n');
  append_row (doc, "Cash", cash);
  append_row (doc, "Change", change);
  g_string_append (doc, "-\n{code:");
  append_escaped (doc, qr);
  g_string_append (doc, "; option:qrcode,6,m}\n");
  append_escaped (doc, footer);
  g_string_append (doc, "\n=\n");
  return g_string_free (doc, FALSE);
}

/* Where receiptline lives: a cache folder beside this program in the build tree. */
static char *
receiptline_prefix (void)
{
  return g_build_filename (BENCH_BUILD_DIR, "receiptline-cache", NULL);
}

/* Installs receiptline 4 into the cache with npm when it is not there yet. On
 * failure returns FALSE with the reason in @out_reason. */
static gboolean
ensure_receiptline (const char *prefix, char **out_reason)
{
  g_autofree char *package =
      g_build_filename (prefix, "node_modules", "receiptline", "package.json", NULL);
  g_autofree char *npm = g_find_program_in_path ("npm");
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (g_file_test (package, G_FILE_TEST_EXISTS))
    return TRUE;
  if (npm == NULL)
    {
      *out_reason = g_strdup ("npm not found");
      return FALSE;
    }
  g_mkdir_with_parents (prefix, 0755);
  {
    const char *argv[] = { npm,        "install", "--no-save",     "--no-audit", "--no-fund",
                           "--prefix", prefix,    "receiptline@4", NULL };

    g_printerr ("bench: installing receiptline@4 into %s\n", prefix);
    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL,
                       &err, &status, &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        *out_reason =
            g_strdup_printf ("npm install failed: %s %s", error->message, err != NULL ? err : "");
        return FALSE;
      }
  }
  if (!g_file_test (package, G_FILE_TEST_EXISTS))
    {
      *out_reason = g_strdup ("npm install left no receiptline");
      return FALSE;
    }
  return TRUE;
}

/* Runs receiptline-bench.js; fills its figures, or returns FALSE with a reason. */
static gboolean
run_receiptline (const char *document,
                 guint       iterations,
                 double     *out_p50,
                 double     *out_p99,
                 gsize      *out_bytes,
                 char      **out_reason)
{
  g_autofree char *node = g_find_program_in_path ("node");
  g_autofree char *prefix = receiptline_prefix ();
  g_autofree char *script = g_build_filename (BENCH_SOURCE_DIR, "receiptline-bench.js", NULL);
  g_autofree char *doc_path = g_build_filename (prefix, "receipt.txt", NULL);
  g_autofree char *bin_path = g_build_filename (prefix, "receipt.bin", NULL);
  g_autofree char *n = g_strdup_printf ("%u", iterations);
  g_autofree char *warmup = g_strdup_printf ("%u", WARMUP);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  int      status = 0;
  gboolean have_p50 = FALSE, have_p99 = FALSE, have_bytes = FALSE;

  if (node == NULL)
    {
      *out_reason = g_strdup ("node not found");
      return FALSE;
    }
  if (!ensure_receiptline (prefix, out_reason))
    return FALSE;
  if (!g_file_set_contents (doc_path, document, -1, &error))
    {
      *out_reason = g_strdup (error->message);
      return FALSE;
    }
  {
    const char *argv[] = { node, script, prefix, doc_path, n, warmup, bin_path, NULL };

    if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err, &status,
                       &error) ||
        !g_spawn_check_wait_status (status, &error))
      {
        *out_reason =
            g_strdup_printf ("node failed: %s %s", error->message, err != NULL ? err : "");
        return FALSE;
      }
  }
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (g_str_has_prefix (lines[i], "p50_us "))
        have_p50 = (*out_p50 = g_ascii_strtod (lines[i] + 7, NULL)) > 0;
      else if (g_str_has_prefix (lines[i], "p99_us "))
        have_p99 = (*out_p99 = g_ascii_strtod (lines[i] + 7, NULL)) > 0;
      else if (g_str_has_prefix (lines[i], "bytes "))
        have_bytes = (*out_bytes = g_ascii_strtoull (lines[i] + 6, NULL, 10)) > 0;
    }
  if (!have_p50 || !have_p99 || !have_bytes)
    {
      *out_reason = g_strdup_printf ("unexpected output from node: %s", out);
      return FALSE;
    }
  return TRUE;
}

/* Times @iterations encodes after the warm-up; returns the sorted times in µs. */
static GArray *
time_encode (Shop *shop, const TillPrinterProfile *profile, guint iterations, gsize *out_bytes)
{
  GArray *times = g_array_sized_new (FALSE, FALSE, sizeof (double), iterations);

  for (guint i = 0; i < WARMUP + iterations; i++)
    {
      gint64 start = bench_now_ns ();
      g_autoptr (GBytes) bytes = till_receipt_encode (shop->sale, shop->store, profile);
      double us = (bench_now_ns () - start) / 1000.0;

      *out_bytes = g_bytes_get_size (bytes);
      if (i >= WARMUP)
        g_array_append_val (times, us);
    }
  g_array_sort (times, compare_double);
  return times;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillPrinterProfile) profile = NULL;
  g_autoptr (TillPrinterProfile) raster = NULL;
  g_autoptr (GArray) times = NULL;
  g_autoptr (GArray) raster_times = NULL;
  g_autofree char *document = NULL;
  g_autofree char *reason = NULL;
  Shop             shop = { 0 };
  guint            iterations = argc > 1 ? (guint) atoi (argv[1]) : DEFAULT_ITERATIONS;
  gsize            bytes = 0, raster_bytes = 0, rl_bytes = 0;
  double           p50, p99, rl_p50 = 0, rl_p99 = 0;

  if (iterations < 10)
    iterations = DEFAULT_ITERATIONS;
  shop_open (&shop);
  profile = till_printer_profile_new_from_uri ("tcp://127.0.0.1:9100?profile=generic-80", &error);
  raster = till_printer_profile_new_from_uri ("tcp://127.0.0.1:9100?profile=generic-80&qr=raster",
                                              &error);
  if (profile == NULL || raster == NULL)
    die ("profile", error);

  times = time_encode (&shop, profile, iterations, &bytes);
  p50 = g_array_index (times, double, iterations / 2);
  p99 = g_array_index (times, double, MIN (iterations - 1, iterations * 99 / 100));
  raster_times = time_encode (&shop, raster, iterations, &raster_bytes);

  g_print ("bench: receipt_lines %u lines\n", till_sale_get_n_lines (shop.sale));
  g_print ("bench: receipt_encode_p50 %.1f us\n", p50);
  g_print ("bench: receipt_encode_p99 %.1f us\n", p99);
  g_print ("bench: receipt_bytes %zu bytes\n", bytes);
  g_print ("bench: receipt_encode_raster_qr_p50 %.1f us\n",
           g_array_index (raster_times, double, iterations / 2));
  g_print ("bench: receipt_bytes_raster_qr %zu bytes\n", raster_bytes);

  document = receiptline_document (&shop);
  if (run_receiptline (document, iterations, &rl_p50, &rl_p99, &rl_bytes, &reason))
    {
      g_print ("bench: receiptline_encode_p50 %.1f us\n", rl_p50);
      g_print ("bench: receiptline_encode_p99 %.1f us\n", rl_p99);
      g_print ("bench: receiptline_bytes %zu bytes\n", rl_bytes);
      g_print ("bench: encode_speedup %.1fx (target >= %.0fx)\n", rl_p50 / p50, TARGET_SPEEDUP);
      g_print ("bench: bytes_ratio %.2f (target <= 1.0)\n", (double) bytes / rl_bytes);
      g_print ("bench: bytes_ratio_raster_qr %.2f\n", (double) raster_bytes / rl_bytes);
    }
  else
    g_print ("bench: receiptline_encode skipped (%s)\n", reason);

  shop_close (&shop);
  return EXIT_SUCCESS;
}
