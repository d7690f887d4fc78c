/* bench-lookup.c: barcode lookup and search against a 300,000-SKU store, cold
 * and warm
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "till-core.h"

#include "bench-util.h"

#define N_LOOKUPS 10000
#define UNKNOWN_PERCENT 10
#define N_SEARCHES 2000
#define SEARCH_LIMIT 20
#define N_REPEATS 500

/* What cashiers type, each timed on its own: initials of growing length, a
 * letter no pinyin starts with, Chinese words, and a PLU of weighed goods. */
static const struct
{
  const char *name;
  const char *query;
} typed[] = {
  { "k", "K" },       { "kk", "KK" },        { "kkkl", "KKKL" },
  { "nfsq", "NFSQ" }, { "v", "V" },          { "niunai", "牛奶" },
  { "kele", "可乐" }, { "binggan", "饼干" }, { "kuangquanshui", "矿泉水" },
  { "plu", "10001" },
};

/* Drops the database's pages from the page cache so that the next open reads the
 * disk, as after a reboot of the till. */
static void
evict_from_page_cache (const char *db_path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);
      int              fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);

      if (fd < 0)
        continue;
      /* Only clean pages can be dropped: write back first. */
      if (fsync (fd) != 0 || posix_fadvise (fd, 0, 0, POSIX_FADV_DONTNEED) != 0)
        g_printerr ("bench-lookup: could not evict %s from the page cache\n", path);
      close (fd);
    }
}

static GPtrArray *
sample_barcodes (TillStore *store, guint n, GRand *rand)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *sample = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  sqlite3_prepare_v2 (till_store_get_db (store), "SELECT code FROM barcode", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (all, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (all->len == 0)
    return sample;

  for (guint i = 0; i < n; i++)
    {
      if (g_rand_int_range (rand, 0, 100) < UNKNOWN_PERCENT)
        {
          char twelve[16];

          /* 200–299 are in-store numbers: well-formed, never a demo product. */
          g_snprintf (twelve, sizeof twelve, "2%02d%09d", g_rand_int_range (rand, 0, 100),
                      g_rand_int_range (rand, 0, 1000000000));
          g_ptr_array_add (sample, till_barcode_ean13_complete (twelve));
        }
      else
        g_ptr_array_add (sample,
                         g_strdup (all->pdata[g_rand_int_range (rand, 0, (gint32) all->len)]));
    }
  return sample;
}

static GPtrArray *
sample_initials (TillStore *store, guint n, GRand *rand)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *sample = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  sqlite3_prepare_v2 (till_store_get_db (store),
                      "SELECT pinyin FROM product WHERE length (pinyin) >= 4", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (all, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (all->len == 0)
    return sample;

  /* What a cashier types: the first two to four initials of a name. */
  for (guint i = 0; i < n; i++)
    {
      const char *pinyin = all->pdata[g_rand_int_range (rand, 0, (gint32) all->len)];

      g_ptr_array_add (sample, g_strndup (pinyin, g_rand_int_range (rand, 2, 5)));
    }
  return sample;
}

/* Pieces of the initials after their first character: initials the cashier
 * remembers from the middle of a name ("KL" of 百事可乐). */
static GPtrArray *
sample_inner_initials (TillStore *store, guint n, GRand *rand)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *sample = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  sqlite3_prepare_v2 (till_store_get_db (store),
                      "SELECT pinyin FROM product WHERE length (pinyin) >= 6", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (all, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (all->len == 0)
    return sample;

  for (guint i = 0; i < n; i++)
    {
      const char *pinyin = all->pdata[g_rand_int_range (rand, 0, (gint32) all->len)];
      int         length = g_rand_int_range (rand, 2, 5);
      int         start = g_rand_int_range (rand, 1, (gint32) strlen (pinyin) - length + 1);

      g_ptr_array_add (sample, g_strndup (pinyin + start, length));
    }
  return sample;
}

/* Two or three Chinese characters in a row from a product's name, as a cashier
 * with a Chinese input method types them. */
static GPtrArray *
sample_name_pieces (TillStore *store, guint n, GRand *rand)
{
  g_autoptr (GPtrArray) all = g_ptr_array_new_with_free_func (g_free);
  GPtrArray *sample = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (sqlite3_stmt) stmt = NULL;

  sqlite3_prepare_v2 (till_store_get_db (store), "SELECT name FROM product", -1, &stmt, NULL);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_ptr_array_add (all, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (all->len == 0)
    return sample;

  while (sample->len < n)
    {
      const char *name = all->pdata[g_rand_int_range (rand, 0, (gint32) all->len)];
      glong       n_chars = g_utf8_strlen (name, -1);
      glong       length = g_rand_int_range (rand, 2, 4);
      glong       start;
      const char *begin;
      const char *end;
      gboolean    all_han = TRUE;

      if (n_chars < length)
        continue;
      start = g_rand_int_range (rand, 0, (gint32) (n_chars - length + 1));
      begin = g_utf8_offset_to_pointer (name, start);
      end = g_utf8_offset_to_pointer (begin, length);
      for (const char *p = begin; p < end; p = g_utf8_next_char (p))
        all_han = all_han && g_unichar_get_script (g_utf8_get_char (p)) == G_UNICODE_SCRIPT_HAN;
      if (all_han)
        g_ptr_array_add (sample, g_strndup (begin, end - begin));
    }
  return sample;
}

/* Times one search for each of @queries (cycling through them @n_runs times in
 * all) and prints the 50th and 99th percentiles as NAME_p50 and NAME_p99. */
static void
bench_search (TillCatalog       *catalog,
              const char        *name,
              const char *const *queries,
              guint              n_queries,
              guint              n_runs)
{
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  guint n_results = 0;

  for (guint i = 0; i < n_runs; i++)
    {
      g_autoptr (GPtrArray) found = NULL;
      gint64 t0 = bench_now_ns ();
      gint64 elapsed;

      found = till_catalog_search (catalog, queries[i % n_queries], SEARCH_LIMIT, NULL);
      elapsed = bench_now_ns () - t0;
      g_array_append_val (samples, elapsed);
      n_results += found != NULL ? found->len : 0;
    }
  bench_sort (samples);
  g_print ("bench: search_%s_results %.1f per search\n", name, (double) n_results / n_runs);
  g_print ("bench: search_%s_p50 %.1f us\n", name, bench_percentile (samples, 0.50) / 1000.0);
  g_print ("bench: search_%s_p99 %.1f us (target <= 1000 us)\n", name,
           bench_percentile (samples, 0.99) / 1000.0);
}

int
main (int argc, char **argv)
{
  g_autofree char *db_path = NULL;
  g_autofree char *scratch = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (20240607);
  g_autoptr (GPtrArray) codes = NULL;
  g_autoptr (GPtrArray) queries = NULL;
  g_autoptr (GPtrArray) inner = NULL;
  g_autoptr (GPtrArray) pieces = NULL;
  g_autoptr (GArray) samples = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillProduct) first = NULL;
  int                n_skus = 300000;
  guint              n_found = 0;
  gint64             start;
  const GOptionEntry entries[] = {
    { "skus", 0, 0, G_OPTION_ARG_INT, &n_skus, "Products in the generated store", "N" },
    { "db", 0, 0, G_OPTION_ARG_FILENAME, &db_path, "Use this database (made when missing)",
      "PATH" },
    { NULL },
  };

  context = g_option_context_new (NULL);
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_skus <= 0)
    {
      g_printerr ("bench-lookup: %s\n", error ? error->message : "--skus must be positive");
      return 2;
    }

  if (db_path == NULL)
    {
      scratch = g_dir_make_tmp ("opentill-bench-XXXXXX", &error);
      if (scratch == NULL)
        {
          g_printerr ("bench-lookup: %s\n", error->message);
          return 1;
        }
      db_path = g_build_filename (scratch, "till.db", NULL);
    }

  /* Make the store unless the given one already has products. */
  store = till_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("bench-lookup: %s\n", error->message);
      return 1;
    }
  catalog = till_catalog_new (store);
  if (till_catalog_count_products (catalog, NULL) == 0)
    {
      start = bench_now_ns ();
      if (!till_demo_populate (store, (guint) n_skus, 1, &error))
        {
          g_printerr ("bench-lookup: %s\n", error->message);
          return 1;
        }
      g_print ("bench: demo_generate_%d_skus %.0f ms\n", n_skus, (bench_now_ns () - start) / 1e6);
    }
  g_print ("bench: catalog_size %" G_GINT64_FORMAT " skus\n",
           till_catalog_count_products (catalog, NULL));
  codes = sample_barcodes (store, N_LOOKUPS, rand);
  queries = sample_initials (store, N_SEARCHES, rand);
  inner = sample_inner_initials (store, N_SEARCHES, rand);
  pieces = sample_name_pieces (store, N_SEARCHES, rand);
  if (codes->len == 0 || queries->len == 0 || inner->len == 0 || pieces->len == 0)
    {
      g_printerr ("bench-lookup: the store has no barcodes\n");
      return 1;
    }
  g_clear_object (&catalog);
  g_clear_object (&store);

  /* Cold start: a till that just booted opens its store and scans. Find a code
   * that is known, so that the first lookup is a real hit. */
  evict_from_page_cache (db_path);
  start = bench_now_ns ();
  store = till_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("bench-lookup: %s\n", error->message);
      return 1;
    }
  catalog = till_catalog_new (store);
  for (guint i = 0; first == NULL && i < codes->len; i++)
    first = till_catalog_lookup_barcode (catalog, codes->pdata[i], NULL);
  g_print ("bench: cold_start_first_lookup %.0f ms (target <= 1000 ms)\n",
           (bench_now_ns () - start) / 1e6);
  if (first == NULL)
    {
      g_printerr ("bench-lookup: no barcode was found\n");
      return 1;
    }

  /* Warm lookups, as scans come in during the day, with some unknown codes. */
  for (guint i = 0; i < codes->len; i++)
    {
      g_autoptr (TillProduct) product = NULL;
      gint64 t0 = bench_now_ns ();
      gint64 elapsed;

      product = till_catalog_lookup_barcode (catalog, codes->pdata[i], NULL);
      elapsed = bench_now_ns () - t0;
      g_array_append_val (samples, elapsed);
      n_found += product != NULL;
    }
  bench_sort (samples);
  g_print ("bench: lookup_hits %u of %u\n", n_found, codes->len);
  g_print ("bench: lookup_p50 %.1f us\n", bench_percentile (samples, 0.50) / 1000.0);
  g_print ("bench: lookup_p99 %.1f us (target <= 1000 us)\n",
           bench_percentile (samples, 0.99) / 1000.0);

  /* Each kind of query a cashier types, over the whole catalog. */
  bench_search (catalog, "initials", (const char *const *) queries->pdata, queries->len,
                queries->len);
  bench_search (catalog, "inner_initials", (const char *const *) inner->pdata, inner->len,
                inner->len);
  bench_search (catalog, "name_piece", (const char *const *) pieces->pdata, pieces->len,
                pieces->len);
  for (gsize i = 0; i < G_N_ELEMENTS (typed); i++)
    bench_search (catalog, typed[i].name, &typed[i].query, 1, N_REPEATS);

  g_clear_object (&catalog);
  g_clear_object (&store);
  if (scratch != NULL)
    {
      const char *suffixes[] = { "", "-wal", "-shm", ".lock" };

      for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
        {
          g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

          g_unlink (path);
        }
      g_rmdir (scratch);
    }
  return 0;
}
