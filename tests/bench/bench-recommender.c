/* bench-recommender.c: how often "customers also buy" guesses the missing item of
 * a held-out sale, against the best sellers alone; training and suggestion time
 *
 * A store's history is generated as sale and sale_line rows: four months of a
 * busy convenience store (a few hundred products in categories, Zipf-like
 * popularity, products that go together across categories, members with
 * favourites of their own who come back at their own pace, and noise). The
 * recommender learns from the first 80 % by time; for each later sale with at
 * least two products one product is hidden and three suggestions are asked for
 * from the rest of the basket (and the member). A hit is the hidden product
 * among them; the popularity baseline answers the same questions.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "till-core.h"

#include "bench-util.h"

#define N_CATEGORIES 14
#define PRODUCTS_PER_CATEGORY 26 /* 364 products */
#define N_DAYS 120
#define SALES_PER_DAY 320
#define N_MEMBERS 2500
#define MEMBER_SHARE 0.45 /* of sales */
#define FAVOURITES_PER_MEMBER 4
#define N_SUGGESTIONS 3
#define TRAIN_SHARE 0.8

/* 2026-01-01 00:00 UTC */
#define START_US (G_GINT64_CONSTANT (1767225600) * G_USEC_PER_SEC)

#define N_PRODUCTS (N_CATEGORIES * PRODUCTS_PER_CATEGORY)

static const char *const category_names[N_CATEGORIES] = {
  "饮料", "啤酒",   "零食",     "方便面", "面包", "乳制品", "香烟",
  "日化", "调味品", "冷冻食品", "水果",   "蔬菜", "肉类",   "纸品",
};
/* Which category each one's goods are bought with: beer with snacks,
 * noodles with sausages (meat), bread with milk, vegetables with seasoning… */
static const int complement_of[N_CATEGORIES] = { 2, 2, 1, 12, 5, 4, 0, 13, 11, 12, 5, 8, 11, 7 };

typedef struct
{
  GRand  *rand;
  double *cumulative; /* popularity, cumulative over products */
  double  total;
  int     partners[N_PRODUCTS][2]; /* product index → two products bought with it */
  int     favourites[N_MEMBERS][FAVOURITES_PER_MEMBER];
  double *member_cumulative; /* how often each member comes, cumulative */
  double  member_total;
} History;

static gint64
product_id_of (int index)
{
  return 1000 + index;
}

static int
sample_cumulative (GRand *rand, const double *cumulative, int n, double total)
{
  double target = g_rand_double (rand) * total;
  int    lo = 0;
  int    hi = n - 1;

  while (lo < hi)
    {
      int mid = (lo + hi) / 2;

      if (cumulative[mid] < target)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

static int
sample_product (History *history)
{
  return sample_cumulative (history->rand, history->cumulative, N_PRODUCTS, history->total);
}

static void
history_init (History *history, guint32 seed)
{
  g_autofree int *rank = g_new (int, N_PRODUCTS);

  history->rand = g_rand_new_with_seed (seed);
  /* Popularity by a shuffled rank, Zipf-like: a few best sellers, a long
   * tail. */
  for (int i = 0; i < N_PRODUCTS; i++)
    rank[i] = i;
  for (int i = N_PRODUCTS - 1; i > 0; i--)
    {
      int j = g_rand_int_range (history->rand, 0, i + 1);
      int swap = rank[i];

      rank[i] = rank[j];
      rank[j] = swap;
    }
  history->cumulative = g_new (double, N_PRODUCTS);
  history->total = 0;
  for (int i = 0; i < N_PRODUCTS; i++)
    {
      history->total += 1.0 / pow (rank[i] + 1, 0.8);
      history->cumulative[i] = history->total;
    }
  /* Each product has two partners in its complementary category. */
  for (int i = 0; i < N_PRODUCTS; i++)
    {
      int category = complement_of[i / PRODUCTS_PER_CATEGORY];

      for (int k = 0; k < 2; k++)
        history->partners[i][k] = category * PRODUCTS_PER_CATEGORY +
                                  g_rand_int_range (history->rand, 0, PRODUCTS_PER_CATEGORY);
    }
  /* Members: a few regulars, many occasional; each with favourites drawn by
   * popularity, so that they overlap with the best sellers only in part. */
  history->member_cumulative = g_new (double, N_MEMBERS);
  history->member_total = 0;
  for (int m = 0; m < N_MEMBERS; m++)
    {
      history->member_total += 1.0 / pow (m + 1, 0.7);
      history->member_cumulative[m] = history->member_total;
      for (int k = 0; k < FAVOURITES_PER_MEMBER; k++)
        history->favourites[m][k] = g_rand_int_range (history->rand, 0, N_PRODUCTS);
    }
}

static void
history_clear (History *history)
{
  g_clear_pointer (&history->rand, g_rand_free);
  g_clear_pointer (&history->cumulative, g_free);
  g_clear_pointer (&history->member_cumulative, g_free);
}

static gboolean
basket_has (GArray *basket, int product)
{
  for (guint i = 0; i < basket->len; i++)
    if (g_array_index (basket, int, i) == product)
      return TRUE;
  return FALSE;
}

/* One basket: a first product, then partners of what is in it, the member's
 * favourites, and noise from the whole store. */
static void
make_basket (History *history, int member, GArray *basket)
{
  int size = 1;
  int first;

  g_array_set_size (basket, 0);
  while (size < 12 && g_rand_double (history->rand) < 0.68)
    size++;
  if (member >= 0 && g_rand_double (history->rand) < 0.5)
    first = history->favourites[member][g_rand_int_range (history->rand, 0, FAVOURITES_PER_MEMBER)];
  else
    first = sample_product (history);
  g_array_append_val (basket, first);
  for (int attempt = 0; (int) basket->len < size && attempt < 4 * size; attempt++)
    {
      double r = g_rand_double (history->rand);
      int    product;

      if (r < 0.45)
        {
          int from = g_array_index (basket, int, g_rand_int_range (history->rand, 0, basket->len));

          product = history->partners[from][g_rand_double (history->rand) < 0.7 ? 0 : 1];
        }
      else if (r < 0.65 && member >= 0)
        product =
            history->favourites[member][g_rand_int_range (history->rand, 0, FAVOURITES_PER_MEMBER)];
      else
        product = sample_product (history);
      if (!basket_has (basket, product))
        g_array_append_val (basket, product);
    }
}

static void
exec_or_die (sqlite3 *db, const char *sql)
{
  char *message = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("bench-recommender: %s: %s", sql, message);
}

static void
prepare_or_die (sqlite3 *db, const char *sql, sqlite3_stmt **out_stmt)
{
  if (sqlite3_prepare_v2 (db, sql, -1, out_stmt, NULL) != SQLITE_OK)
    g_error ("bench-recommender: %s: %s", sql, sqlite3_errmsg (db));
}

static void
step_or_die (sqlite3 *db, sqlite3_stmt *stmt)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    g_error ("bench-recommender: %s", sqlite3_errmsg (db));
  sqlite3_reset (stmt);
}

/* Writes the catalog and the whole history; returns when the held-out part
 * starts. Sales are rows as the till records them, except that they have no
 * journal entries: signing ~38,000 entries would be most of the bench's
 * time and the recommender never reads them, so foreign keys are off while
 * the history is written. */
static gint64
generate_store (sqlite3 *db, History *history)
{
  g_autoptr (sqlite3_stmt) category = NULL;
  g_autoptr (sqlite3_stmt) product = NULL;
  g_autoptr (sqlite3_stmt) sale = NULL;
  g_autoptr (sqlite3_stmt) line = NULL;
  g_autoptr (GArray) basket = g_array_new (FALSE, FALSE, sizeof (int));
  int receipt_no = 0;

  exec_or_die (db, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF; BEGIN");
  prepare_or_die (db, "INSERT INTO category (id, name, code) VALUES (?, ?, ?)", &category);
  prepare_or_die (db,
                  "INSERT INTO product (id, sku, name, unit, category_id, price) "
                  "VALUES (?, ?, ?, '个', ?, ?)",
                  &product);
  prepare_or_die (db,
                  "INSERT INTO sale (uuid, receipt_no, till_id, business_day, created_us, "
                  "cashier_code, cashier_name, subtotal, rounding, total, item_count, "
                  "journal_seq, member_id) VALUES (?, ?, 'T1', ?, ?, '1001', '王小丽', 0, 0, 0, "
                  "?, ?, ?)",
                  &sale);
  prepare_or_die (db,
                  "INSERT INTO sale_line (sale_uuid, line_no, product_id, sku, name, unit, "
                  "quantity, unit_price, amount, vat_rate, weighed) "
                  "VALUES (?, ?, ?, '', '', '个', 1000, 500, 500, 1300, 0)",
                  &line);
  for (int c = 0; c < N_CATEGORIES; c++)
    {
      g_autofree char *code = g_strdup_printf ("C%02d", c);

      sqlite3_bind_int (category, 1, c + 1);
      sqlite3_bind_text (category, 2, category_names[c], -1, SQLITE_STATIC);
      sqlite3_bind_text (category, 3, code, -1, SQLITE_TRANSIENT);
      step_or_die (db, category);
    }
  for (int i = 0; i < N_PRODUCTS; i++)
    {
      g_autofree char *sku = g_strdup_printf ("SKU%05d", i);
      g_autofree char *name =
          g_strdup_printf ("%s %d", category_names[i / PRODUCTS_PER_CATEGORY], i);

      sqlite3_bind_int64 (product, 1, product_id_of (i));
      sqlite3_bind_text (product, 2, sku, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (product, 3, name, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int (product, 4, i / PRODUCTS_PER_CATEGORY + 1);
      sqlite3_bind_int (product, 5, 100 + 10 * (i % 50));
      step_or_die (db, product);
    }
  for (int day = 0; day < N_DAYS; day++)
    for (int s = 0; s < SALES_PER_DAY; s++)
      {
        /* Opening hours 07:00–23:00, sales spread evenly. */
        gint64 created_us = START_US + day * G_TIME_SPAN_DAY + 7 * G_TIME_SPAN_HOUR +
                            (gint64) s * 16 * G_TIME_SPAN_HOUR / SALES_PER_DAY;
        int              member = -1;
        g_autofree char *uuid = NULL;
        g_autofree char *member_id = NULL;
        g_autofree char *business_day = g_strdup_printf ("day-%03d", day);

        if (g_rand_double (history->rand) < MEMBER_SHARE)
          {
            member = sample_cumulative (history->rand, history->member_cumulative, N_MEMBERS,
                                        history->member_total);
            member_id = g_strdup_printf ("member-%05d", member);
          }
        make_basket (history, member, basket);
        receipt_no++;
        uuid = g_strdup_printf ("%08x-sale-%07d", g_rand_int (history->rand), receipt_no);
        sqlite3_bind_text (sale, 1, uuid, -1, SQLITE_STATIC);
        sqlite3_bind_int (sale, 2, receipt_no);
        sqlite3_bind_text (sale, 3, business_day, -1, SQLITE_STATIC);
        sqlite3_bind_int64 (sale, 4, created_us);
        sqlite3_bind_int (sale, 5, basket->len);
        sqlite3_bind_int (sale, 6, receipt_no);
        sqlite3_bind_text (sale, 7, member_id, -1, SQLITE_STATIC);
        step_or_die (db, sale);
        for (guint i = 0; i < basket->len; i++)
          {
            sqlite3_bind_text (line, 1, uuid, -1, SQLITE_STATIC);
            sqlite3_bind_int (line, 2, i + 1);
            sqlite3_bind_int64 (line, 3, product_id_of (g_array_index (basket, int, i)));
            step_or_die (db, line);
          }
        sqlite3_clear_bindings (sale);
      }
  exec_or_die (db, "COMMIT; PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL");
  return START_US + (gint64) (N_DAYS * TRAIN_SHARE) * G_TIME_SPAN_DAY;
}

typedef struct
{
  char   *member_id;
  GArray *products; /* gint64, distinct, in line order */
} HeldOut;

static void
held_out_free (gpointer data)
{
  HeldOut *sale = data;

  g_free (sale->member_id);
  g_array_unref (sale->products);
  g_free (sale);
}

/* The held-out sales with at least two distinct products. */
static GPtrArray *
read_held_out (sqlite3 *db, gint64 since_us)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  GPtrArray       *sales = g_ptr_array_new_with_free_func (held_out_free);
  g_autofree char *current = NULL;
  HeldOut         *sale = NULL;

  prepare_or_die (db,
                  "SELECT s.uuid, s.member_id, l.product_id FROM sale s "
                  "JOIN sale_line l ON l.sale_uuid = s.uuid WHERE s.created_us >= ? "
                  "ORDER BY s.created_us, s.uuid, l.line_no",
                  &stmt);
  sqlite3_bind_int64 (stmt, 1, since_us);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *uuid = (const char *) sqlite3_column_text (stmt, 0);
      gint64      product_id = sqlite3_column_int64 (stmt, 2);
      gboolean    seen = FALSE;

      if (g_strcmp0 (uuid, current) != 0)
        {
          g_free (current);
          current = g_strdup (uuid);
          sale = g_new0 (HeldOut, 1);
          sale->member_id = g_strdup ((const char *) sqlite3_column_text (stmt, 1));
          sale->products = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_ptr_array_add (sales, sale);
        }
      for (guint i = 0; i < sale->products->len; i++)
        seen = seen || g_array_index (sale->products, gint64, i) == product_id;
      if (!seen)
        g_array_append_val (sale->products, product_id);
    }
  for (guint i = sales->len; i > 0; i--)
    if (((HeldOut *) g_ptr_array_index (sales, i - 1))->products->len < 2)
      g_ptr_array_remove_index (sales, i - 1);
  return sales;
}

static gboolean
hit (GArray *suggestions, gint64 product_id)
{
  for (guint i = 0; i < suggestions->len; i++)
    if (g_array_index (suggestions, TillSuggestion, i).product_id == product_id)
      return TRUE;
  return FALSE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStore) store = NULL;
  g_autoptr (TillRecommender) recommender = NULL;
  g_autoptr (GPtrArray) held_out = NULL;
  g_autoptr (GArray) suggest_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GArray) train_ns = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GRand) hide_rand = g_rand_new_with_seed (7);
  g_autofree char *scratch = NULL;
  g_autofree char *db_path = NULL;
  History          history = { 0 };
  gint64           split_us;
  guint            model_hits = 0;
  guint            popular_hits = 0;
  double           model_rate;
  double           popular_rate;

  (void) argc;
  (void) argv;

  scratch = g_dir_make_tmp ("opentill-bench-XXXXXX", &error);
  if (scratch == NULL)
    g_error ("bench-recommender: %s", error->message);
  db_path = g_build_filename (scratch, "till.db", NULL);
  store = till_store_open (db_path, &error);
  if (store == NULL)
    g_error ("bench-recommender: %s", error->message);
  history_init (&history, 20261123);
  split_us = generate_store (till_store_get_db (store), &history);
  history_clear (&history);

  /* Training: the best of three runs, the database warm as on a till that
   * retrains at night. */
  recommender = till_recommender_new (store);
  for (int run = 0; run < 3; run++)
    {
      gint64 start = bench_now_ns ();
      gint64 elapsed;

      if (!till_recommender_train (recommender, START_US, split_us, &error))
        g_error ("bench-recommender: %s", error->message);
      elapsed = bench_now_ns () - start;
      g_array_append_val (train_ns, elapsed);
    }
  bench_sort (train_ns);

  held_out = read_held_out (till_store_get_db (store), split_us);
  for (guint i = 0; i < held_out->len; i++)
    {
      HeldOut *sale = g_ptr_array_index (held_out, i);
      guint    hidden_at = g_rand_int_range (hide_rand, 0, sale->products->len);
      gint64   hidden = g_array_index (sale->products, gint64, hidden_at);
      g_autoptr (GArray) cart = g_array_copy (sale->products);
      g_autoptr (GArray) model = NULL;
      g_autoptr (GArray) popular = NULL;
      gint64 start;
      gint64 elapsed;

      g_array_remove_index (cart, hidden_at);
      start = bench_now_ns ();
      model = till_recommender_suggest (recommender, sale->member_id, (const gint64 *) cart->data,
                                        cart->len, N_SUGGESTIONS, TRUE);
      elapsed = bench_now_ns () - start;
      g_array_append_val (suggest_ns, elapsed);
      popular = till_recommender_suggest_popular (recommender, (const gint64 *) cart->data,
                                                  cart->len, N_SUGGESTIONS);
      model_hits += hit (model, hidden);
      popular_hits += hit (popular, hidden);
    }
  bench_sort (suggest_ns);

  model_rate = held_out->len > 0 ? 100.0 * model_hits / held_out->len : 0;
  popular_rate = held_out->len > 0 ? 100.0 * popular_hits / held_out->len : 0;
  g_print ("bench: recommend_held_out_sales %u sales\n", held_out->len);
  g_print ("bench: recommend_hit_rate_model %.1f %% (target > popular)\n", model_rate);
  g_print ("bench: recommend_hit_rate_popular %.1f %%\n", popular_rate);
  g_print ("bench: recommend_train_ms %" G_GINT64_FORMAT " ms (target < 1000 ms)\n",
           g_array_index (train_ns, gint64, 0) / 1000000);
  g_print ("bench: recommend_suggest_p99 %" G_GINT64_FORMAT " us (target <= 1000 us)\n",
           bench_percentile (suggest_ns, 0.99) / 1000);

  g_clear_object (&recommender);
  g_clear_object (&store);
  {
    const char *suffixes[] = { "", "-wal", "-shm" };

    for (gsize i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

        g_unlink (path);
      }
    g_rmdir (scratch);
  }
  return model_rate > popular_rate ? 0 : 1;
}
