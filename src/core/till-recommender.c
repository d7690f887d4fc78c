/* till-recommender.c: "customers also buy" suggestions from the till's own sales
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-recommender"

#include "config.h"

#include <glib/gi18n-lib.h>
#include <stdlib.h>
#include <string.h>

#include "till-recommender.h"
#include "till-store.h"

/* A sale with a very long receipt (a restaurant order, a shop restocking
 * itself) says little about what goes with what, and its pairs grow with the
 * square of its size: only its first distinct products count. */
#define MAX_PRODUCTS_PER_SALE 30
/* A rule "A → B" needs A and B together in at least this many sales: fewer is
 * chance. */
#define MIN_RULE_SUPPORT 3
/* How many rules each product keeps, best first. */
#define MAX_RULES_PER_PRODUCT 24
/* A member's product is "frequent" when bought in at least this many of
 * their sales; how many of them each member keeps. */
#define MIN_MEMBER_SALES 2
#define MAX_MEMBER_FAVOURITES 16

/* One counted pair of dense product indexes (lo < hi), in an open-addressing
 * table: a training run counts hundreds of thousands of pairs, and a
 * GHashTable would allocate each key. */
typedef struct
{
  guint64 key; /* (lo + 1) << 32 | (hi + 1); 0 is an empty slot */
  guint32 count;
} PairSlot;

typedef struct
{
  PairSlot *slots;
  gsize     capacity; /* a power of two */
  gsize     used;
} PairTable;

/* "A → B" for one A. */
typedef struct
{
  guint32 consequent; /* dense index of B */
  double  score;      /* confidence × lift */
} Rule;

/* A product a member buys, and in how many of their sales. */
typedef struct
{
  guint32 product; /* dense index */
  guint32 count;
} Favourite;

typedef struct
{
  Favourite *favourites;
  guint      n_favourites;
} MemberHistory;

struct _TillRecommender
{
  GObject parent_instance;

  TillStore *store;

  /* The model; all empty before the first training. */
  gboolean    trained;
  GHashTable *index_by_product; /* gint64 * product id → GUINT_TO_POINTER (dense index + 1) */
  GArray     *product_ids;      /* gint64, by dense index */
  GArray     *product_counts;   /* guint32: sales holding the product, by dense index */
  GPtrArray  *rules;            /* GArray of Rule per dense index (NULL: none) */
  GArray     *popular;          /* guint32 dense indexes, best seller first */
  GHashTable *members;          /* member id → MemberHistory */
  guint       n_sales;
};

G_DEFINE_FINAL_TYPE (TillRecommender, till_recommender, G_TYPE_OBJECT)

static void
pair_table_init (PairTable *table)
{
  table->capacity = 1 << 14;
  table->used = 0;
  table->slots = g_new0 (PairSlot, table->capacity);
}

static void
pair_table_clear (PairTable *table)
{
  g_clear_pointer (&table->slots, g_free);
  table->capacity = 0;
  table->used = 0;
}

static inline gsize
pair_hash (guint64 key)
{
  /* The 64-bit finalizer of MurmurHash3: indexes are small and dense, so
   * their bits need spreading. */
  key ^= key >> 33;
  key *= G_GUINT64_CONSTANT (0xff51afd7ed558ccd);
  key ^= key >> 33;
  key *= G_GUINT64_CONSTANT (0xc4ceb9fe1a85ec53);
  key ^= key >> 33;
  return (gsize) key;
}

static void
pair_table_insert_slot (PairSlot *slots, gsize capacity, guint64 key, guint32 count)
{
  gsize i = pair_hash (key) & (capacity - 1);

  while (slots[i].key != 0)
    i = (i + 1) & (capacity - 1);
  slots[i].key = key;
  slots[i].count = count;
}

static void
pair_table_add (PairTable *table, guint32 a, guint32 b)
{
  guint64 key;
  gsize   i;

  if (a > b)
    {
      guint32 swap = a;

      a = b;
      b = swap;
    }
  key = ((guint64) a + 1) << 32 | ((guint64) b + 1);
  if ((table->used + 1) * 4 > table->capacity * 3)
    {
      gsize     new_capacity = table->capacity * 2;
      PairSlot *new_slots = g_new0 (PairSlot, new_capacity);

      for (gsize j = 0; j < table->capacity; j++)
        if (table->slots[j].key != 0)
          pair_table_insert_slot (new_slots, new_capacity, table->slots[j].key,
                                  table->slots[j].count);
      g_free (table->slots);
      table->slots = new_slots;
      table->capacity = new_capacity;
    }
  i = pair_hash (key) & (table->capacity - 1);
  while (table->slots[i].key != 0 && table->slots[i].key != key)
    i = (i + 1) & (table->capacity - 1);
  if (table->slots[i].key == 0)
    {
      table->slots[i].key = key;
      table->used++;
    }
  table->slots[i].count++;
}

static void
member_history_free (gpointer data)
{
  MemberHistory *history = data;

  g_free (history->favourites);
  g_free (history);
}

static void
rules_free (gpointer data)
{
  if (data != NULL)
    g_array_unref (data);
}

static void
forget_model (TillRecommender *self)
{
  self->trained = FALSE;
  self->n_sales = 0;
  g_clear_pointer (&self->index_by_product, g_hash_table_unref);
  g_clear_pointer (&self->product_ids, g_array_unref);
  g_clear_pointer (&self->product_counts, g_array_unref);
  g_clear_pointer (&self->rules, g_ptr_array_unref);
  g_clear_pointer (&self->popular, g_array_unref);
  g_clear_pointer (&self->members, g_hash_table_unref);
}

/* The dense index of @product_id, made on first sight during training. */
static guint32
intern_product (TillRecommender *self, gint64 product_id)
{
  gpointer found = g_hash_table_lookup (self->index_by_product, &product_id);
  gint64  *key;
  guint32  index;
  guint32  zero = 0;

  if (found != NULL)
    return GPOINTER_TO_UINT (found) - 1;
  index = self->product_ids->len;
  key = g_new (gint64, 1);
  *key = product_id;
  g_hash_table_insert (self->index_by_product, key, GUINT_TO_POINTER (index + 1));
  g_array_append_val (self->product_ids, product_id);
  g_array_append_val (self->product_counts, zero);
  return index;
}

/* -1 when the product was not seen in training. */
static gint64
lookup_index (TillRecommender *self, gint64 product_id)
{
  gpointer found = g_hash_table_lookup (self->index_by_product, &product_id);

  return found != NULL ? (gint64) GPOINTER_TO_UINT (found) - 1 : -1;
}

static int
compare_guint32 (gconstpointer a, gconstpointer b)
{
  guint32 x = *(const guint32 *) a;
  guint32 y = *(const guint32 *) b;

  return (x > y) - (x < y);
}

/* Member id → (dense index → count) while training. */
static void
count_member_products (GHashTable    *member_counts,
                       const char    *member_id,
                       const guint32 *products,
                       guint          n_products)
{
  GHashTable *counts = g_hash_table_lookup (member_counts, member_id);

  if (counts == NULL)
    {
      counts = g_hash_table_new (NULL, NULL);
      g_hash_table_insert (member_counts, g_strdup (member_id), counts);
    }
  for (guint i = 0; i < n_products; i++)
    {
      gpointer key = GUINT_TO_POINTER (products[i] + 1);
      guint    count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, key));

      g_hash_table_insert (counts, key, GUINT_TO_POINTER (count + 1));
    }
}

/* Counts one sale's distinct products (sorted and deduplicated in place). */
static void
count_sale (TillRecommender *self,
            PairTable       *pairs,
            GHashTable      *member_counts,
            const char      *member_id,
            GArray          *sale_products)
{
  guint32 *products = (guint32 *) (gpointer) sale_products->data;
  guint    n = 0;

  if (sale_products->len == 0)
    return;
  qsort (products, sale_products->len, sizeof (guint32), compare_guint32);
  for (guint i = 0; i < sale_products->len; i++)
    if (n == 0 || products[n - 1] != products[i])
      products[n++] = products[i];

  self->n_sales++;
  for (guint i = 0; i < n; i++)
    g_array_index (self->product_counts, guint32, products[i])++;
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++)
      pair_table_add (pairs, products[i], products[j]);
  if (member_id != NULL && *member_id != '\0')
    count_member_products (member_counts, member_id, products, n);
  g_array_set_size (sale_products, 0);
}

static int
compare_rules (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Rule *x = a;
  const Rule *y = b;
  GArray     *product_ids = user_data;
  gint64      id_x;
  gint64      id_y;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  id_x = g_array_index (product_ids, gint64, x->consequent);
  id_y = g_array_index (product_ids, gint64, y->consequent);
  return (id_x > id_y) - (id_x < id_y);
}

static void
add_rule (TillRecommender *self, guint32 antecedent, guint32 consequent, guint32 together)
{
  double  n_a = g_array_index (self->product_counts, guint32, antecedent);
  double  n_b = g_array_index (self->product_counts, guint32, consequent);
  double  confidence = together / n_a;
  double  lift = confidence / (n_b / self->n_sales);
  Rule    rule = { consequent, confidence * lift };
  GArray *rules = g_ptr_array_index (self->rules, antecedent);

  if (rules == NULL)
    {
      rules = g_array_new (FALSE, FALSE, sizeof (Rule));
      g_ptr_array_index (self->rules, antecedent) = rules;
    }
  g_array_append_val (rules, rule);
}

/* From pair counts to each product's best rules. */
static void
derive_rules (TillRecommender *self, PairTable *pairs)
{
  guint n_products = self->product_ids->len;

  self->rules = g_ptr_array_new_full (n_products, rules_free);
  g_ptr_array_set_size (self->rules, n_products);
  for (gsize i = 0; i < pairs->capacity; i++)
    {
      const PairSlot *slot = &pairs->slots[i];
      guint32         a;
      guint32         b;

      if (slot->key == 0 || slot->count < MIN_RULE_SUPPORT)
        continue;
      a = (guint32) (slot->key >> 32) - 1;
      b = (guint32) (slot->key & 0xffffffff) - 1;
      add_rule (self, a, b, slot->count);
      add_rule (self, b, a, slot->count);
    }
  for (guint i = 0; i < n_products; i++)
    {
      GArray *rules = g_ptr_array_index (self->rules, i);

      if (rules == NULL)
        continue;
      g_array_sort_with_data (rules, compare_rules, self->product_ids);
      if (rules->len > MAX_RULES_PER_PRODUCT)
        g_array_set_size (rules, MAX_RULES_PER_PRODUCT);
    }
}

static int
compare_popular (gconstpointer a, gconstpointer b, gpointer user_data)
{
  TillRecommender *self = user_data;
  guint32          x = *(const guint32 *) a;
  guint32          y = *(const guint32 *) b;
  guint32          count_x = g_array_index (self->product_counts, guint32, x);
  guint32          count_y = g_array_index (self->product_counts, guint32, y);
  gint64           id_x = g_array_index (self->product_ids, gint64, x);
  gint64           id_y = g_array_index (self->product_ids, gint64, y);

  if (count_x != count_y)
    return count_x > count_y ? -1 : 1;
  return (id_x > id_y) - (id_x < id_y);
}

static void
derive_popular (TillRecommender *self)
{
  self->popular = g_array_sized_new (FALSE, FALSE, sizeof (guint32), self->product_ids->len);
  for (guint32 i = 0; i < self->product_ids->len; i++)
    g_array_append_val (self->popular, i);
  g_array_sort_with_data (self->popular, compare_popular, self);
}

static int
compare_favourites (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Favourite *x = a;
  const Favourite *y = b;
  GArray          *product_ids = user_data;
  gint64           id_x;
  gint64           id_y;

  if (x->count != y->count)
    return x->count > y->count ? -1 : 1;
  id_x = g_array_index (product_ids, gint64, x->product);
  id_y = g_array_index (product_ids, gint64, y->product);
  return (id_x > id_y) - (id_x < id_y);
}

static void
derive_members (TillRecommender *self, GHashTable *member_counts)
{
  GHashTableIter iter;
  gpointer       member_id;
  gpointer       counts;
  g_autoptr (GArray) favourites = g_array_new (FALSE, FALSE, sizeof (Favourite));

  self->members = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, member_history_free);
  g_hash_table_iter_init (&iter, member_counts);
  while (g_hash_table_iter_next (&iter, &member_id, &counts))
    {
      GHashTableIter counts_iter;
      gpointer       product;
      gpointer       count;
      MemberHistory *history;

      g_array_set_size (favourites, 0);
      g_hash_table_iter_init (&counts_iter, counts);
      while (g_hash_table_iter_next (&counts_iter, &product, &count))
        {
          Favourite favourite = { GPOINTER_TO_UINT (product) - 1, GPOINTER_TO_UINT (count) };

          if (favourite.count >= MIN_MEMBER_SALES)
            g_array_append_val (favourites, favourite);
        }
      if (favourites->len == 0)
        continue;
      g_array_sort_with_data (favourites, compare_favourites, self->product_ids);
      history = g_new0 (MemberHistory, 1);
      history->n_favourites = MIN (favourites->len, MAX_MEMBER_FAVOURITES);
      history->favourites =
          g_memdup2 (favourites->data, history->n_favourites * sizeof (Favourite));
      g_hash_table_insert (self->members, g_strdup (member_id), history);
    }
}

/* Whether the product is still sold. A product gone from the catalog is not. */
static gboolean
product_is_active (TillRecommender *self, gint64 product_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (TillStmt) stmt = NULL;

  stmt = till_store_prepare (self->store, "SELECT active FROM product WHERE id = ?", &error);
  if (stmt == NULL)
    {
      g_debug ("Cannot check product %" G_GINT64_FORMAT ": %s", product_id, error->message);
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, product_id);
  return sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_int (stmt, 0) != 0;
}

/* What is already in the cart or already suggested. */
static gboolean
is_excluded (const gint64 *cart_products, guint n_cart, GArray *suggestions, gint64 product_id)
{
  for (guint i = 0; i < n_cart; i++)
    if (cart_products[i] == product_id)
      return TRUE;
  for (guint i = 0; i < suggestions->len; i++)
    if (g_array_index (suggestions, TillSuggestion, i).product_id == product_id)
      return TRUE;
  return FALSE;
}

/* Appends the suggestion when it may be made; TRUE when @limit is reached. */
static gboolean
offer (TillRecommender     *self,
       GArray              *suggestions,
       const gint64        *cart_products,
       guint                n_cart,
       guint                limit,
       gint64               product_id,
       TillSuggestionReason reason,
       double               score)
{
  if (!is_excluded (cart_products, n_cart, suggestions, product_id) &&
      product_is_active (self, product_id))
    {
      TillSuggestion suggestion = { product_id, reason, score };

      g_array_append_val (suggestions, suggestion);
    }
  return suggestions->len >= limit;
}

static gboolean
offer_member_history (TillRecommender *self,
                      GArray          *suggestions,
                      const char      *member_id,
                      const gint64    *cart_products,
                      guint            n_cart,
                      guint            limit)
{
  MemberHistory *history = g_hash_table_lookup (self->members, member_id);

  if (history == NULL)
    return FALSE;
  for (guint i = 0; i < history->n_favourites; i++)
    {
      const Favourite *favourite = &history->favourites[i];
      gint64           product_id = g_array_index (self->product_ids, gint64, favourite->product);

      if (offer (self, suggestions, cart_products, n_cart, limit, product_id,
                 TILL_SUGGESTION_MEMBER_HISTORY, favourite->count))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  gint64 product_id;
  double score;
} Candidate;

static int
compare_candidates (gconstpointer a, gconstpointer b)
{
  const Candidate *x = a;
  const Candidate *y = b;

  if (x->score != y->score)
    return x->score > y->score ? -1 : 1;
  return (x->product_id > y->product_id) - (x->product_id < y->product_id);
}

static gboolean
offer_bought_together (TillRecommender *self,
                       GArray          *suggestions,
                       const gint64    *cart_products,
                       guint            n_cart,
                       guint            limit)
{
  g_autoptr (GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));

  /* Each consequent scores by its best rule from any product in the cart:
   * one strong reason beats several weak ones. */
  for (guint i = 0; i < n_cart; i++)
    {
      gint64  antecedent = lookup_index (self, cart_products[i]);
      GArray *rules;

      if (antecedent < 0)
        continue;
      rules = g_ptr_array_index (self->rules, antecedent);
      if (rules == NULL)
        continue;
      for (guint r = 0; r < rules->len; r++)
        {
          const Rule *rule = &g_array_index (rules, Rule, r);
          gint64      product_id = g_array_index (self->product_ids, gint64, rule->consequent);
          gboolean    known = FALSE;

          for (guint c = 0; c < candidates->len; c++)
            {
              Candidate *candidate = &g_array_index (candidates, Candidate, c);

              if (candidate->product_id == product_id)
                {
                  candidate->score = MAX (candidate->score, rule->score);
                  known = TRUE;
                  break;
                }
            }
          if (!known)
            {
              Candidate candidate = { product_id, rule->score };

              g_array_append_val (candidates, candidate);
            }
        }
    }
  g_array_sort (candidates, compare_candidates);
  for (guint c = 0; c < candidates->len; c++)
    {
      const Candidate *candidate = &g_array_index (candidates, Candidate, c);

      if (offer (self, suggestions, cart_products, n_cart, limit, candidate->product_id,
                 TILL_SUGGESTION_BOUGHT_TOGETHER, candidate->score))
        return TRUE;
    }
  return FALSE;
}

static gboolean
offer_popular (TillRecommender *self,
               GArray          *suggestions,
               const gint64    *cart_products,
               guint            n_cart,
               guint            limit)
{
  for (guint i = 0; i < self->popular->len; i++)
    {
      guint32 index = g_array_index (self->popular, guint32, i);
      gint64  product_id = g_array_index (self->product_ids, gint64, index);

      if (offer (self, suggestions, cart_products, n_cart, limit, product_id,
                 TILL_SUGGESTION_POPULAR, g_array_index (self->product_counts, guint32, index)))
        return TRUE;
    }
  return FALSE;
}

static void
till_recommender_finalize (GObject *object)
{
  TillRecommender *self = TILL_RECOMMENDER (object);

  forget_model (self);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (till_recommender_parent_class)->finalize (object);
}

static void
till_recommender_class_init (TillRecommenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = till_recommender_finalize;
}

static void
till_recommender_init (TillRecommender *self)
{
  (void) self;
}

/**
 * till_recommender_new:
 * @store: the till's store, read when training and when checking that a
 *   suggested product is still sold
 *
 * Returns: (transfer full): an untrained recommender
 */
TillRecommender *
till_recommender_new (TillStore *store)
{
  TillRecommender *self;

  g_return_val_if_fail (TILL_IS_STORE (store), NULL);

  self = g_object_new (TILL_TYPE_RECOMMENDER, NULL);
  self->store = g_object_ref (store);
  return self;
}

/**
 * till_recommender_train:
 * @since_us: the window's start (included), µs since the epoch
 * @until_us: its end (excluded)
 *
 * Reads each sale of the window once. On failure the recommender is left
 * untrained.
 *
 * Returns: %TRUE, or %FALSE with @error set
 */
gboolean
till_recommender_train (TillRecommender *self, gint64 since_us, gint64 until_us, GError **error)
{
  g_autoptr (sqlite3_stmt) stmt = NULL;
  g_autoptr (GArray) sale_products = g_array_new (FALSE, FALSE, sizeof (guint32));
  g_autoptr (GHashTable) member_counts = NULL;
  g_autofree char *current_sale = NULL;
  g_autofree char *current_member = NULL;
  PairTable        pairs;
  int              rc;

  g_return_val_if_fail (TILL_IS_RECOMMENDER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  forget_model (self);
  /* Not from the statement cache: training runs rarely and holds the
   * statement for a whole pass. Lines come grouped by sale (the primary key
   * order of both tables). */
  if (sqlite3_prepare_v2 (till_store_get_db (self->store),
                          "SELECT s.uuid, s.member_id, l.product_id "
                          "FROM sale s JOIN sale_line l ON l.sale_uuid = s.uuid "
                          "WHERE s.created_us >= ? AND s.created_us < ? "
                          "ORDER BY s.uuid, l.line_no",
                          -1, &stmt, NULL) != SQLITE_OK)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the sales to learn from"));
      return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, since_us);
  sqlite3_bind_int64 (stmt, 2, until_us);

  self->index_by_product = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->product_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->product_counts = g_array_new (FALSE, FALSE, sizeof (guint32));
  member_counts =
      g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_hash_table_unref);
  pair_table_init (&pairs);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *sale_uuid = (const char *) sqlite3_column_text (stmt, 0);
      const char *member_id = (const char *) sqlite3_column_text (stmt, 1);
      guint32     product;

      if (g_strcmp0 (sale_uuid, current_sale) != 0)
        {
          count_sale (self, &pairs, member_counts, current_member, sale_products);
          g_free (current_sale);
          current_sale = g_strdup (sale_uuid);
          g_free (current_member);
          current_member = g_strdup (member_id);
        }
      if (sale_products->len >= MAX_PRODUCTS_PER_SALE)
        {
          /* Distinct products only count towards the cap. */
          gint64   seen = lookup_index (self, sqlite3_column_int64 (stmt, 2));
          gboolean repeat = FALSE;

          for (guint i = 0; seen >= 0 && i < sale_products->len; i++)
            repeat = repeat || g_array_index (sale_products, guint32, i) == (guint32) seen;
          if (!repeat)
            continue;
        }
      product = intern_product (self, sqlite3_column_int64 (stmt, 2));
      g_array_append_val (sale_products, product);
    }
  if (rc != SQLITE_DONE)
    {
      till_store_set_error (self->store, error, _ ("Cannot read the sales to learn from"));
      pair_table_clear (&pairs);
      forget_model (self);
      return FALSE;
    }
  count_sale (self, &pairs, member_counts, current_member, sale_products);

  derive_rules (self, &pairs);
  derive_popular (self);
  derive_members (self, member_counts);
  pair_table_clear (&pairs);
  self->trained = TRUE;
  g_debug ("Learnt from %u sales: %u products, %u members", self->n_sales, self->product_ids->len,
           g_hash_table_size (self->members));
  return TRUE;
}

/**
 * till_recommender_suggest:
 * @member_id: (nullable): the member at the till
 * @cart_products: (array length=n_cart): product ids in the cart
 * @limit: the most suggestions wanted
 * @fill_popular: whether best sellers fill the places left
 *
 * Returns: (transfer full) (element-type TillSuggestion): best first; empty
 *   before training
 */
GArray *
till_recommender_suggest (TillRecommender *self,
                          const char      *member_id,
                          const gint64    *cart_products,
                          guint            n_cart,
                          guint            limit,
                          gboolean         fill_popular)
{
  GArray *suggestions;

  g_return_val_if_fail (TILL_IS_RECOMMENDER (self), NULL);
  g_return_val_if_fail (cart_products != NULL || n_cart == 0, NULL);

  suggestions = g_array_new (FALSE, FALSE, sizeof (TillSuggestion));

  if (!self->trained || limit == 0)
    return suggestions;
  if (member_id != NULL &&
      offer_member_history (self, suggestions, member_id, cart_products, n_cart, limit))
    return suggestions;
  if (offer_bought_together (self, suggestions, cart_products, n_cart, limit))
    return suggestions;
  if (fill_popular)
    offer_popular (self, suggestions, cart_products, n_cart, limit);
  return suggestions;
}

/**
 * till_recommender_suggest_popular:
 *
 * Returns: (transfer full) (element-type TillSuggestion): the best sellers
 *   not in the cart; empty before training
 */
GArray *
till_recommender_suggest_popular (TillRecommender *self,
                                  const gint64    *cart_products,
                                  guint            n_cart,
                                  guint            limit)
{
  GArray *suggestions;

  g_return_val_if_fail (TILL_IS_RECOMMENDER (self), NULL);
  g_return_val_if_fail (cart_products != NULL || n_cart == 0, NULL);

  suggestions = g_array_new (FALSE, FALSE, sizeof (TillSuggestion));

  if (self->trained && limit > 0)
    offer_popular (self, suggestions, cart_products, n_cart, limit);
  return suggestions;
}
