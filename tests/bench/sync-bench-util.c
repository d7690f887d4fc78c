/* sync-bench-util.c: what the sync benchmarks share: an in-process HQ on its
 * own thread, and tills with a backlog of real queued sales
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "bench"

#include "config.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sync-bench-util.h"
#include "till-enroll.h"

struct _BenchHq
{
  TillHqThread *thread;
};

typedef struct
{
  HqStore    *store;
  BenchHqFunc func;
  gpointer    user_data;
  gboolean    ok;
  GError     *error;
} HqCall;

/* Offset of the sales' clock from the real one, for the thread making sales. */
static __thread gint64 clock_offset_us;

/* The core takes every sale's time from g_get_real_time () and has no clock
 * to inject. This definition (an executable's symbol wins over GLib's) lets
 * the setup back-date a week of sales on its own thread; with the offset at
 * 0, as everywhere else, it is GLib's own wall clock. */
gint64
g_get_real_time (void)
{
  struct timespec now;

  clock_gettime (CLOCK_REALTIME, &now);
  return (gint64) now.tv_sec * G_USEC_PER_SEC + now.tv_nsec / 1000 + clock_offset_us;
}

static gboolean
hq_call_cb (gpointer data)
{
  HqCall *call = data;

  call->ok = call->func (call->store, call->user_data, &call->error);
  return G_SOURCE_REMOVE;
}

/**
 * bench_hq_start:
 * Opens HQ's database at @location and its CA in @hq_dir/ca, and serves HTTPS
 * on 127.0.0.1 from a new thread (tests/common/till-hq-thread.c).
 *
 * Returns: (transfer full): the running HQ, or %NULL with @error set
 */
BenchHq *
bench_hq_start (const char *location, const char *hq_dir, GError **error)
{
  TillHqThread *thread = till_hq_thread_start (hq_dir, location, 0, error);
  BenchHq      *hq;

  if (thread == NULL)
    return NULL;
  hq = g_new0 (BenchHq, 1);
  hq->thread = thread;
  return hq;
}

const char *
bench_hq_get_url (BenchHq *hq)
{
  return till_hq_thread_get_url (hq->thread);
}

void
bench_hq_stop (BenchHq *hq)
{
  if (hq == NULL)
    return;
  till_hq_thread_stop (hq->thread);
  g_free (hq);
}

gboolean
bench_hq_call (BenchHq *hq, BenchHqFunc func, gpointer user_data, GError **error)
{
  HqCall call = {
    .store = till_hq_thread_get_store (hq->thread),
    .func = func,
    .user_data = user_data,
  };

  till_hq_thread_call (hq->thread, hq_call_cb, &call);
  if (!call.ok)
    {
      if (call.error == NULL)
        g_set_error_literal (&call.error, G_IO_ERROR, G_IO_ERROR_FAILED, "HQ call failed");
      g_propagate_error (error, call.error);
      return FALSE;
    }
  g_clear_error (&call.error);
  return TRUE;
}

char *
bench_hq_make_token (BenchHq *hq, const char *store_id, guint till_no, GError **error)
{
  g_autofree char *name = g_strdup_printf ("门店 %s", store_id);

  if (!till_hq_thread_put_store (hq->thread, store_id, name, NULL, error))
    return NULL;
  return till_hq_thread_make_token (hq->thread, store_id, till_no, G_TIME_SPAN_HOUR, error);
}

gint64
bench_hq_count_documents (BenchHq *hq, const char *kind, GError **error)
{
  return till_hq_thread_count_documents (hq->thread, kind, NULL, error);
}

typedef struct
{
  guint  days;
  gint64 receipts;
} DaysRequest;

static gboolean
count_days_cb (HqStore *store, gpointer user_data, GError **error)
{
  DaysRequest *request = user_data;
  g_autoptr (HqDbRows) rows = hq_store_report_days (store, NULL, NULL, NULL, error);

  if (rows == NULL)
    return FALSE;
  /* Columns: store_id, business_day, receipts, returns, net total. */
  request->days = hq_db_rows_get_n_rows (rows);
  for (guint row = 0; row < request->days; row++)
    request->receipts += hq_db_rows_get_int (rows, row, 2);
  return TRUE;
}

gboolean
bench_hq_count_days (BenchHq *hq, guint *out_days, gint64 *out_receipts, GError **error)
{
  DaysRequest request = { 0 };

  if (!bench_hq_call (hq, count_days_cb, &request, error))
    return FALSE;
  *out_days = request.days;
  *out_receipts = request.receipts;
  return TRUE;
}

typedef struct
{
  const char *name;
  char       *value;
} SettingRequest;

static gboolean
pg_setting_cb (HqStore *store, gpointer user_data, GError **error)
{
  SettingRequest  *request = user_data;
  HqDb            *db = hq_store_get_db (store);
  g_autofree char *sql = NULL;
  g_autoptr (HqDbRows) rows = NULL;

  if (!hq_db_is_postgres (db))
    {
      request->value = g_strdup ("n/a");
      return TRUE;
    }
  /* SHOW takes no parameters; the names come from this program. */
  sql = g_strdup_printf ("SHOW %s", request->name);
  rows = hq_db_query (db, sql, NULL, 0, error);
  if (rows == NULL)
    return FALSE;
  request->value =
      g_strdup (hq_db_rows_get_n_rows (rows) > 0 ? hq_db_rows_get_text (rows, 0, 0) : "?");
  return TRUE;
}

char *
bench_hq_dup_pg_setting (BenchHq *hq, const char *name)
{
  SettingRequest request = { .name = name };
  g_autoptr (GError) error = NULL;

  if (!bench_hq_call (hq, pg_setting_cb, &request, &error))
    return g_strdup_printf ("? (%s)", error->message);
  return request.value;
}

static gboolean
thread_cpu_cb (HqStore *store, gpointer user_data, GError **error)
{
  gint64         *out_us = user_data;
  struct timespec used;

  (void) store;
  if (clock_gettime (CLOCK_THREAD_CPUTIME_ID, &used) != 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "no thread CPU clock");
      return FALSE;
    }
  *out_us = (gint64) used.tv_sec * G_USEC_PER_SEC + used.tv_nsec / 1000;
  return TRUE;
}

gint64
bench_hq_get_thread_cpu_us (BenchHq *hq)
{
  gint64 used_us = -1;

  if (!bench_hq_call (hq, thread_cpu_cb, &used_us, NULL))
    return -1;
  return used_us;
}

static gboolean
backend_pid_cb (HqStore *store, gpointer user_data, GError **error)
{
  gint64 *out_pid = user_data;
  HqDb   *db = hq_store_get_db (store);
  g_autoptr (HqDbRows) rows = NULL;

  *out_pid = -1;
  if (!hq_db_is_postgres (db))
    return TRUE;
  rows = hq_db_query (db, "SELECT pg_backend_pid()", NULL, 0, error);
  if (rows == NULL)
    return FALSE;
  *out_pid = hq_db_rows_get_int (rows, 0, 0);
  return TRUE;
}

gint64
bench_hq_get_backend_cpu_us (BenchHq *hq)
{
  gint64           pid = -1;
  g_autofree char *path = NULL;
  g_autofree char *stat = NULL;
  g_auto (GStrv) fields = NULL;
  const char *after_name;
  long        ticks_per_s = sysconf (_SC_CLK_TCK);

  if (!bench_hq_call (hq, backend_pid_cb, &pid, NULL) || pid <= 0)
    return -1;
  path = g_strdup_printf ("/proc/%" G_GINT64_FORMAT "/stat", pid);
  if (!g_file_get_contents (path, &stat, NULL, NULL))
    return -1;
  /* Fields after "(comm)": state is the 3rd field, utime and stime the
   * 14th and 15th. */
  after_name = strrchr (stat, ')');
  if (after_name == NULL)
    return -1;
  fields = g_strsplit (after_name + 2, " ", 0);
  if (g_strv_length (fields) < 13 || ticks_per_s <= 0)
    return -1;
  return (g_ascii_strtoll (fields[11], NULL, 10) + g_ascii_strtoll (fields[12], NULL, 10)) *
         G_USEC_PER_SEC / ticks_per_s;
}

double
bench_load_average (void)
{
  g_autofree char *text = NULL;

  if (!g_file_get_contents ("/proc/loadavg", &text, NULL, NULL))
    return -1;
  return g_ascii_strtod (text, NULL);
}

/* --- Tills ------------------------------------------------------------------ */

typedef struct
{
  TillStore   *store;
  TillJournal *journal;
} TillFiles;

static void
till_files_clear (TillFiles *files)
{
  g_clear_object (&files->journal);
  g_clear_object (&files->store);
}

static gboolean
till_files_open (TillFiles *files, const char *dir, GError **error)
{
  g_autofree char *db_path = g_build_filename (dir, "till.db", NULL);
  g_autofree char *key_path = g_build_filename (dir, "journal.key", NULL);

  files->store = till_store_open (db_path, error);
  if (files->store == NULL)
    return FALSE;
  files->journal = till_journal_new (files->store, key_path, error);
  if (files->journal == NULL)
    {
      g_clear_object (&files->store);
      return FALSE;
    }
  return TRUE;
}

gboolean
bench_till_create (const char *dir, const char *till_id, guint n_skus, GError **error)
{
  TillFiles files = { NULL };
  gboolean  ok;

  if (!till_files_open (&files, dir, error))
    return FALSE;
  /* What store IT sets before the till sells; enrollment later confirms the
   * same id, so the queued sales carry the id HQ knows the till by. */
  ok = till_demo_populate (files.store, n_skus, 20240601, error) &&
       till_store_set_setting (files.store, "till.id", till_id, error);
  till_files_clear (&files);
  return ok;
}

/* The demo store's active products, to pick lines from. */
static GPtrArray *
load_products (TillStore *store, TillCatalog *catalog, GError **error)
{
  g_autoptr (GPtrArray) products = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (TillStmt) stmt =
      till_store_prepare (store, "SELECT id FROM product WHERE active", error);

  if (stmt == NULL)
    return NULL;
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  for (guint i = 0; i < ids->len; i++)
    {
      TillProduct *product =
          till_catalog_lookup_id (catalog, g_array_index (ids, gint64, i), error);

      if (product == NULL)
        return NULL;
      g_ptr_array_add (products, product);
    }
  if (products->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the till has no products");
      return NULL;
    }
  return g_steal_pointer (&products);
}

/* When sale @index of @n_sales happens: the @n_days days before today each
 * get an even share, from 08:00 to 21:00 local time. */
static gint64
sale_time_us (guint index, guint n_sales, guint n_days)
{
  guint per_day = (n_sales + n_days - 1) / n_days;
  guint day = index / per_day;
  guint within = index % per_day;
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autoptr (GDateTime) midnight =
      g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                             g_date_time_get_day_of_month (now), 0, 0, 0);
  g_autoptr (GDateTime) day_start = g_date_time_add_days (midnight, (int) day - (int) n_days);
  gint64 open_us = 13 * G_TIME_SPAN_HOUR;

  return g_date_time_to_unix (day_start) * G_USEC_PER_SEC + 8 * G_TIME_SPAN_HOUR +
         open_us * within / per_day;
}

static gboolean
make_one_sale (TillCart  *cart,
               TillFiles *files,
               TillUser  *cashier,
               GPtrArray *products,
               GRand     *rand,
               guint      lines_per_sale,
               GError   **error)
{
  g_autoptr (TillSale) sale = NULL;

  for (guint line = 0; line < lines_per_sale; line++)
    {
      TillProduct *product = products->pdata[g_rand_int_range (rand, 0, (gint32) products->len)];
      gint64       quantity = till_product_get_weighed (product)
                                  ? g_rand_int_range (rand, 100, 2000)
                                  : TILL_QUANTITY_ONE * g_rand_int_range (rand, 1, 4);

      if (till_cart_add_product (cart, product, quantity, error) == NULL)
        return FALSE;
    }
  sale = till_sale_commit_cash (cart, files->journal, cashier, till_cart_get_total (cart) + 10000,
                                error);
  return sale != NULL && till_store_checkpoint_if_due (files->store, error);
}

gboolean
bench_till_make_sales (const char *dir,
                       guint       n_sales,
                       guint       n_days,
                       guint       lines_per_sale,
                       guint32     seed,
                       GError    **error)
{
  TillFiles files = { NULL };
  g_autoptr (TillCatalog) catalog = NULL;
  g_autoptr (TillUser) cashier = NULL;
  g_autoptr (TillCart) cart = NULL;
  g_autoptr (GPtrArray) products = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  gboolean ok = FALSE;

  g_return_val_if_fail (n_days > 0, FALSE);

  if (!till_files_open (&files, dir, error))
    return FALSE;
  /* Setup only: the drain is what is measured, and it runs at FULL. */
  if (!till_store_exec (files.store, "PRAGMA synchronous=OFF", error))
    goto out;
  catalog = till_catalog_new (files.store);
  cashier =
      till_user_authenticate (files.store, TILL_DEMO_CASHIER_CODE, TILL_DEMO_CASHIER_PIN, error);
  if (cashier == NULL)
    goto out;
  products = load_products (files.store, catalog, error);
  if (products == NULL)
    goto out;
  cart = till_cart_new (files.store, catalog);

  for (guint i = 0; i < n_sales; i++)
    {
      gboolean made;

      clock_offset_us = sale_time_us (i, n_sales, n_days) - g_get_real_time ();
      made = make_one_sale (cart, &files, cashier, products, rand, lines_per_sale, error);
      clock_offset_us = 0;
      if (!made)
        goto out;
    }
  ok = till_store_exec (files.store, "PRAGMA synchronous=FULL", error) &&
       till_store_checkpoint (files.store, TRUE, error);

out:
  clock_offset_us = 0;
  g_clear_object (&cart);
  till_files_clear (&files);
  return ok;
}

gboolean
bench_till_copy (const char *from_dir, const char *to_dir, GError **error)
{
  static const char *const names[] = { "till.db", "till.db-wal", "journal.key" };

  if (g_mkdir_with_parents (to_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno), "Cannot create %s: %s",
                   to_dir, g_strerror (saved_errno));
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *from_path = g_build_filename (from_dir, names[i], NULL);
      g_autofree char *to_path = g_build_filename (to_dir, names[i], NULL);
      g_autoptr (GFile) from = g_file_new_for_path (from_path);
      g_autoptr (GFile) to = g_file_new_for_path (to_path);

      if (!g_file_test (from_path, G_FILE_TEST_EXISTS))
        continue;
      if (!g_file_copy (from, to, G_FILE_COPY_OVERWRITE | G_FILE_COPY_ALL_METADATA, NULL, NULL,
                        NULL, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
bench_till_enroll (const char *dir, const char *url, const char *token, GError **error)
{
  TillFiles files = { NULL };
  g_autoptr (TillSyncIdentity) identity = NULL;

  if (!till_files_open (&files, dir, error))
    return FALSE;
  identity = till_enroll (files.store, files.journal, url, token, dir, error);
  till_files_clear (&files);
  return identity != NULL;
}

BenchTill *
bench_till_open (const char *dir, GError **error)
{
  g_autoptr (BenchTill) till = g_new0 (BenchTill, 1);
  TillFiles files = { NULL };

  if (!till_files_open (&files, dir, error))
    return NULL;
  till->store = files.store;
  till->journal = files.journal;
  till->client = till_sync_client_new_for_store (till->store, 60, error);
  if (till->client == NULL)
    return NULL;
  return g_steal_pointer (&till);
}

void
bench_till_free (BenchTill *till)
{
  if (till == NULL)
    return;
  g_clear_object (&till->client);
  g_clear_object (&till->journal);
  g_clear_object (&till->store);
  g_free (till);
}

gint64
bench_till_count_pending (BenchTill *till, GError **error)
{
  TillOutboxStats stats = { 0 };
  gint64          pending;

  if (!till_outbox_get_stats (till->store, &stats, error))
    return -1;
  pending = stats.pending;
  till_outbox_stats_clear (&stats);
  return pending;
}

double
bench_seconds_since (gint64 start_us)
{
  return (g_get_monotonic_time () - start_us) / (double) G_USEC_PER_SEC;
}
