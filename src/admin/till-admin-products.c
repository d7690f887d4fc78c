/* till-admin-products.c: `opentill-admin products`, the catalog listed,
 * exported to and imported from CSV or XLSX files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "opentill-admin"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "till-admin-products.h"
#include "till-admin-util.h"
#include "till-core.h"
#include "till-sheet.h"

/* How many products `list` shows unless told. */
#define DEFAULT_LIST_LIMIT 100

typedef struct
{
  const char *name;
  const char *usage; /* translated when shown */
  int (*run) (int argc, char **argv);
} ProductsCommand;

static int run_list (int argc, char **argv);
static int run_export (int argc, char **argv);
static int run_import (int argc, char **argv);

static const ProductsCommand commands[] = {
  { "list",
    N_ ("list [QUERY] [--all] [--limit N]: products whose SKU, name, pinyin initials or PLU "
        "contain QUERY, or with the barcode QUERY; --all shows inactive ones too"),
    run_list },
  { "export",
    N_ ("export FILE.csv|FILE.xlsx: every product, active or not, in the columns import reads"),
    run_export },
  { "import",
    N_ ("import FILE [--dry-run] --user CODE --pin PIN: create and update products from a CSV "
        "or XLSX file, all rows or none"),
    run_import },
};

static void
print_usage (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_printerr ("%s %s\n", _ ("Usage: opentill-admin products"), _ (commands[i].usage));
  g_printerr ("%s\n", _ ("Each takes --db PATH (default: $OPENTILL_DB or "
                         "~/.local/share/opentill/till.db)."));
}

/* --- list --------------------------------------------------------------------- */

static int
run_list (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (TillAdminTable) table = NULL;
  gboolean    all = FALSE;
  int         limit = DEFAULT_LIST_LIMIT;
  int         status;
  const char *header[] = { _ ("SKU"),      _ ("Product name"), _ ("Sale price"), _ ("Member"),
                           _ ("Barcodes"), _ ("Category"),     _ ("Active"),     NULL };
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_ ("The till database"), N_ ("PATH") },
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_ ("Inactive products too"), NULL },
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_ ("Show at most N products (0: all)"), N_ ("N") },
    { NULL },
  };

  if (!till_admin_parse_options ("products list", _ ("[QUERY]"), _ ("Lists products."), entries,
                                 &argc, &argv, 1, &status))
    return status;
  if (limit < 0)
    {
      g_printerr (_ ("opentill-admin products list: --limit cannot be negative\n"));
      return EXIT_USAGE;
    }
  store = till_admin_open_store ("products list", db_path, &status);
  if (store == NULL)
    return status;
  products = till_product_admin_list (store, argc > 1 ? argv[1] : NULL, all, (guint) limit, &error);
  if (products == NULL)
    {
      g_printerr ("opentill-admin products list: %s\n", error->message);
      return EXIT_FAILED;
    }
  table = till_admin_table_new (0x0c, 7, header);
  for (guint i = 0; i < products->len; i++)
    {
      TillProduct *product = g_ptr_array_index (products, i);
      gint64       id = till_product_get_id (product);
      g_auto (GStrv) barcodes = till_product_admin_get_barcodes (store, id, NULL);
      g_autofree char *category = till_product_admin_get_category_path (
          store, till_product_get_category_id (product), NULL);
      gint64 member_price = till_product_get_member_price (product);

      till_admin_table_add (
          table, g_strdup (till_product_get_sku (product)),
          g_strdup (till_product_get_name (product)),
          till_money_format (till_product_get_price (product)),
          member_price != 0 ? till_money_format (member_price) : NULL,
          barcodes != NULL ? g_strjoinv (";", barcodes) : NULL, g_steal_pointer (&category),
          g_strdup (till_product_get_active (product) ? _ ("active") : _ ("inactive")));
    }
  till_admin_table_print (table, "");
  if (limit != 0 && products->len == (guint) limit)
    g_print (_ ("(the first %d: --limit 0 shows all)\n"), limit);
  return EXIT_OK;
}

/* --- export -------------------------------------------------------------------- */

/* Money, VAT and stock limits are numbers in a workbook; SKUs, barcodes and
 * PLUs stay text, so no leading zero is lost. */
static TillSheetCellKind *
export_column_kinds (char **header, guint *out_n)
{
  static const char *const numbers[] = { "price", "member_price", "cost", "vat",
                                         "lower", "upper",        NULL };
  guint                    n = g_strv_length (header);
  TillSheetCellKind       *kinds = g_new0 (TillSheetCellKind, MAX (n, 1));

  for (guint c = 0; c < n; c++)
    kinds[c] = g_strv_contains (numbers, header[c]) ? TILL_SHEET_CELL_NUMBER : TILL_SHEET_CELL_TEXT;
  *out_n = n;
  return kinds;
}

static int
run_export (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree TillSheetCellKind *kinds = NULL;
  guint                         n_kinds = 0;
  int                           status;
  const char                   *path;
  const GOptionEntry            entries[] = {
               { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_ ("The till database"), N_ ("PATH") },
               { NULL },
  };

  if (!till_admin_parse_options ("products export", _ ("FILE"),
                                 _ ("Writes every product to a CSV or XLSX file (by its name)."),
                                 entries, &argc, &argv, 1, &status))
    return status;
  if (argc < 2)
    {
      print_usage ();
      return EXIT_USAGE;
    }
  path = argv[1];
  store = till_admin_open_store ("products export", db_path, &status);
  if (store == NULL)
    return status;
  rows = till_product_admin_export (store, &error);
  if (rows != NULL)
    kinds = export_column_kinds (g_ptr_array_index (rows, 0), &n_kinds);
  if (rows == NULL || !till_sheet_write (path, till_sheet_format_for_path (path), _ ("Products"),
                                         rows, kinds, n_kinds, &error))
    {
      g_printerr ("opentill-admin products export: %s\n", error->message);
      return EXIT_FAILED;
    }
  g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %1$u product to %2$s\n",
                        "Exported %1$u products to %2$s\n", rows->len - 1),
           rows->len - 1, path);
  return EXIT_OK;
}

/* --- import -------------------------------------------------------------------- */

static void
print_problems (const TillImportResult *result)
{
  for (guint i = 0; i < result->problems->len; i++)
    {
      const TillImportProblem *problem = g_ptr_array_index (result->problems, i);

      if (problem->column != NULL)
        g_printerr (_ ("row %1$u, column %2$s: %3$s\n"), problem->row, problem->column,
                    problem->message);
      else
        g_printerr (_ ("row %1$u: %2$s\n"), problem->row, problem->message);
    }
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "Nothing was imported: %u row has a problem.\n",
                           "Nothing was imported: %u problems.\n", result->problems->len),
              result->problems->len);
}

static int
run_import (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *user_code = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *supervisor_code = NULL;
  g_autofree char *supervisor_pin = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *db_dir = NULL;
  g_autofree char *journal_key = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillJournal) journal = NULL;
  g_autoptr (TillUser) user = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (TillImportResult) result = NULL;
  g_autoptr (GError) error = NULL;
  TillOverride       override = { 0 };
  gboolean           dry_run = FALSE;
  gboolean           applied = FALSE;
  int                status;
  const GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, N_ ("The till database"), N_ ("PATH") },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, N_ ("Check the file only: write nothing"),
      NULL },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user_code, N_ ("Who does it (a manager)"), N_ ("CODE") },
    { "pin", 0, 0, G_OPTION_ARG_STRING, &pin, N_ ("Their PIN"), N_ ("PIN") },
    { "supervisor", 0, 0, G_OPTION_ARG_STRING, &supervisor_code,
      N_ ("A manager who approves for a user who may not"), N_ ("CODE") },
    { "supervisor-pin", 0, 0, G_OPTION_ARG_STRING, &supervisor_pin, N_ ("The approver’s PIN"),
      N_ ("PIN") },
    { "reason", 0, 0, G_OPTION_ARG_STRING, &reason, N_ ("Why (with --supervisor)"), N_ ("TEXT") },
    { NULL },
  };

  if (!till_admin_parse_options ("products import", _ ("FILE"),
                                 _ ("Creates and updates products from a CSV or XLSX file: every "
                                    "row, or none when one is bad."),
                                 entries, &argc, &argv, 1, &status))
    return status;
  if (argc < 2)
    {
      print_usage ();
      return EXIT_USAGE;
    }
  if (user_code == NULL || pin == NULL)
    {
      g_printerr (_ ("opentill-admin products import: say who you are with --user and --pin\n"));
      return EXIT_USAGE;
    }
  if (supervisor_code != NULL && (supervisor_pin == NULL || reason == NULL))
    {
      g_printerr (_ ("opentill-admin products import: --supervisor needs --supervisor-pin and "
                     "--reason\n"));
      return EXIT_USAGE;
    }
  override.supervisor_code = supervisor_code;
  override.supervisor_secret = supervisor_pin;
  override.reason = reason;

  store = till_admin_open_store ("products import", db_path, &status);
  if (store == NULL)
    return status;
  /* The journal's key lives beside the database, as the till keeps it. */
  db_dir = g_path_get_dirname (till_store_get_path (store));
  journal_key = g_build_filename (db_dir, "till.key", NULL);
  if ((journal = till_journal_new (store, journal_key, &error)) == NULL ||
      (user = till_user_authenticate (store, user_code, pin, &error)) == NULL ||
      (rows = till_sheet_read (argv[1], &error)) == NULL ||
      (result = till_product_admin_import (store, journal, user, rows, dry_run,
                                           supervisor_code != NULL ? &override : NULL, &applied,
                                           &error)) == NULL)
    {
      g_printerr ("opentill-admin products import: %s\n", error->message);
      return EXIT_FAILED;
    }
  if (result->problems->len > 0)
    {
      print_problems (result);
      return EXIT_FAILED;
    }
  if (dry_run)
    g_print (_ ("Dry run, nothing written: %1$u to create, %2$u to update, %3$u unchanged\n"),
             result->created, result->updated, result->unchanged);
  else
    g_print (_ ("Created %1$u, updated %2$u, unchanged %3$u\n"), result->created, result->updated,
             result->unchanged);
  return EXIT_OK;
}

/**
 * till_admin_products_run:
 *
 * Runs `opentill-admin products SUBCOMMAND …`.
 */
int
till_admin_products_run (int argc, char **argv)
{
  if (argc < 2)
    {
      print_usage ();
      return EXIT_USAGE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);
  g_printerr (_ ("opentill-admin products: unknown command “%s”\n"), argv[1]);
  print_usage ();
  return EXIT_USAGE;
}
