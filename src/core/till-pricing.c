/* till-pricing.c: the promotion engine (see till-pricing.h)
 *
 * How a call works, and the rules it keeps:
 *
 * - Pre-filter, once per call: a promotion takes part when it is active at
 *   context->local_time (NULL: no clock check), in scope for the store or its
 *   group, its member conditions hold (member_only, tiers_only; member price
 *   and tier discount need a member), its per_member_limit is not used up
 *   (context->member_uses) and, for a coupon, its code was presented.
 * - Targets: the cart (at most a few hundred keys) is indexed per call in
 *   three hashes, SKU → lines, category code → lines, brand → lines; each
 *   promotion's target lists are looked up there. The cost is the number of
 *   target names, never promotions × lines, and nothing is cached between
 *   calls, so a changed promotion list can never give a stale answer.
 *   Manual-price lines and excluded SKUs are never targets.
 * - Units: a counted line has quantity / 1000 units at unit_price; a weighed
 *   line (or a counted line under one unit) is one unit worth its gross. A
 *   zero-price line (a gift already added) has no units and saves nothing.
 * - min_quantity and min_amount of a line promotion are measured over all
 *   its target lines, whichever promotion ends up taking them; those of a
 *   sale promotion over the sale's net after step 1.
 * - A gift repeats once per min_quantity (and per min_amount) held, once
 *   when it has neither; its per_sale_limit caps the repeats.
 * - Multi-buys put the units dearest first (ties by line number) and take
 *   complete groups: buy X get Y gives the Y last (cheapest) units of each
 *   group of X + Y, nth item discounts the last unit of each group of n, mix
 *   and match sells each group of mix_quantity for mix_price as long as that
 *   saves; a bundle takes complete sets, each of the dearest units left. Of
 *   the ways a group could be formed, dearest first saves the customer most.
 *   "times" counts groups, sets or repeats; per_sale_limit and what is left
 *   of per_member_limit cap it.
 * - Stacking. Line promotions compete per line: a line takes at most one line
 *   promotion (a gift, which saves nothing, claims no line). Among the
 *   promotions that may stack (stacking "all", and at most one per
 *   exclusive group), line promotions are chosen greedily: the largest
 *   saving first (ties: higher priority, then lower code), claiming the lines
 *   it touched, the others re-evaluated on the lines still free. Then sale
 *   promotions (threshold, coupon, sale discount) in the same greedy way on
 *   what is left, their min_amount measured on the net after the line
 *   promotions; then gifts whose group is still free. Each exclusive
 *   promotion is also priced alone on gross; the scenario that saves most
 *   wins, equal savings going to the scenario whose leading promotion has the
 *   higher priority, then the lower code.
 * - Split: each saving is capped at what is left of the lines it touched and
 *   shared across them in proportion to their remaining net, floors first,
 *   the leftover fen to the largest remainders (ties: lower line number).
 *   So Σ line discount = Σ saving exactly and no line goes below 0.
 * - Hints: thresholds whose next tier (or next "every X") is within 30 %
 *   of the net after step 1, and multi-buys (buy X get Y, nth item, mix and
 *   match) one unit short of the next group, their saving estimated with one
 *   more of the cheapest target unit; at most 3, the closest (smallest
 *   missing share) first, then by code. Hints look at every promotion in
 *   scope, whether or not stacking let it apply.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-pricing"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "till-money.h"
#include "till-pricing.h"
#include "till-promotion.h"

#define HINT_MAX 3
#define BP_ONE 10000
#define KEY_FILTER_BITS 4096

typedef struct
{
  const TillPromotion *promotion;
  gboolean             is_sale; /* threshold, coupon, sale discount */
  gboolean             is_gift;
  guint                target_offset; /* into Engine.target_pool: line indices, ascending */
  guint                target_len;
  gint64               cap;   /* max times: G_MAXINT64 for none */
  guint                epoch; /* Engine.epoch when last evaluated */
  gint64               saving;
  gboolean             done; /* applied, or out of the running */
} Candidate;

/* A run of equal units of one line, for multi-buys. */
typedef struct
{
  gint64 price;
  gint64 count;
  guint  line;
} UnitRun;

typedef struct
{
  guint  candidate;
  gint64 saving;
  gint64 times;
  guint  touched_offset; /* into Engine.applied_lines */
  guint  touched_len;
} AppliedEntry;

typedef struct
{
  guint  applied;
  guint  line;
  gint64 amount;
} ShareEntry;

typedef struct
{
  guint line;
  gint  next;
} LineLink;

typedef struct
{
  guint  line;
  guint  line_no;
  gint64 remainder;
} SplitRank;

typedef struct
{
  const TillPricingLine    *lines;
  guint                     n_lines;
  const TillPricingContext *context;

  gint64 *gross;
  gint64 *units;      /* whole units for multi-buys */
  gint64 *unit_price; /* price of each of those units */
  gint64 *net;        /* remaining, in the scenario being built */
  gint64 *step1_net;  /* net after the line promotions */
  guint  *claimed;    /* epoch at which a line promotion claimed it; 0 = free */
  guint  *stamp;      /* scratch marks */
  guint   stamp_value;
  guint   epoch;

  GHashTable *sku_lines; /* const char* → head index + 1 in chain */
  GHashTable *category_lines;
  GHashTable *brand_lines;
  GArray     *chain; /* LineLink */
  guint64     key_filter[KEY_FILTER_BITS / 64];

  GArray *candidates;  /* Candidate */
  GArray *target_pool; /* guint */
  guint   all_offset;  /* the shared list of every line promotions may touch */
  guint   all_len;     /* G_MAXUINT until made */

  /* Scratch reused by every evaluation. */
  UnitRun   *runs;
  SplitRank *ranks;
  guint     *touched;
  guint      n_touched;

  /* The scenario being built. */
  GArray     *applied;       /* AppliedEntry */
  GArray     *applied_lines; /* guint */
  GArray     *shares;        /* ShareEntry */
  GArray     *gifts;         /* guint candidate, gint64 times pairs as AppliedEntry */
  GHashTable *groups_taken;  /* stacking_group → GINT_TO_POINTER (1) */
} Engine;

static gint64
percent_of (gint64 amount, gint64 bp)
{
  return till_money_round_half_up (amount * bp, BP_ONE);
}

static gboolean
strv_contains (GStrv strv, const char *text)
{
  return strv != NULL && text != NULL && g_strv_contains ((const char *const *) strv, text);
}

static gboolean
strv_empty (GStrv strv)
{
  return strv == NULL || strv[0] == NULL;
}

static int
compare_promotions (const TillPromotion *a, const TillPromotion *b)
{
  if (a->priority != b->priority)
    return a->priority > b->priority ? -1 : 1;
  return g_strcmp0 (a->code, b->code);
}

/* Negative when (saving_a, a) beats (saving_b, b). */
static int
compare_offers (gint64 saving_a, const TillPromotion *a, gint64 saving_b, const TillPromotion *b)
{
  if (saving_a != saving_b)
    return saving_a > saving_b ? -1 : 1;
  if (a == NULL || b == NULL)
    return (a == NULL) - (b == NULL);
  return compare_promotions (a, b);
}

/* A cheap fingerprint of a key (its length and last 8 bytes: SKUs share
 * prefixes) for the bitmap that spares most hash lookups of target names
 * that are not in the cart. */
static guint
key_bit (const char *key)
{
  gsize   length = strlen (key);
  guint32 hash = 2166136261u ^ (guint32) length;

  for (gsize i = length > 8 ? length - 8 : 0; i < length; i++)
    hash = (hash ^ (guchar) key[i]) * 16777619u;
  return (hash ^ (hash >> 16)) % KEY_FILTER_BITS;
}

static void
chain_add (Engine *engine, GHashTable *table, const char *key, guint line)
{
  LineLink link = { line, -1 };
  gpointer head;
  guint    bit;

  if (key == NULL || *key == '\0')
    return;
  bit = key_bit (key);
  engine->key_filter[bit / 64] |= G_GUINT64_CONSTANT (1) << (bit % 64);
  if (g_hash_table_lookup_extended (table, key, NULL, &head))
    link.next = GPOINTER_TO_INT (head) - 1;
  g_array_append_val (engine->chain, link);
  g_hash_table_insert (table, (gpointer) key, GINT_TO_POINTER ((gint) engine->chain->len));
}

static gint
chain_head (Engine *engine, GHashTable *table, const char *key)
{
  guint bit = key_bit (key);

  if ((engine->key_filter[bit / 64] & (G_GUINT64_CONSTANT (1) << (bit % 64))) == 0)
    return -1;
  return GPOINTER_TO_INT (g_hash_table_lookup (table, key)) - 1;
}

static guint
next_stamp (Engine *engine)
{
  if (++engine->stamp_value == 0)
    {
      memset (engine->stamp, 0, sizeof (guint) * engine->n_lines);
      engine->stamp_value = 1;
    }
  return engine->stamp_value;
}

/* Marks, with the current stamp, the lines whose SKU @promotion excludes;
 * returns how many. */
static guint
mark_excluded (Engine *engine, const TillPromotion *promotion, guint stamp)
{
  guint marked = 0;

  if (promotion->excluded_skus == NULL)
    return 0;
  for (guint i = 0; promotion->excluded_skus[i] != NULL; i++)
    for (gint l = chain_head (engine, engine->sku_lines, promotion->excluded_skus[i]); l >= 0;)
      {
        const LineLink *link = &g_array_index (engine->chain, LineLink, l);

        engine->stamp[link->line] = stamp;
        marked++;
        l = link->next;
      }
  return marked;
}

static void
collect_from (Engine *engine, GHashTable *table, GStrv keys, guint stamp)
{
  if (keys == NULL)
    return;
  for (guint i = 0; keys[i] != NULL; i++)
    for (gint l = chain_head (engine, table, keys[i]); l >= 0;)
      {
        const LineLink *link = &g_array_index (engine->chain, LineLink, l);

        if (engine->stamp[link->line] != stamp && !engine->lines[link->line].manual_price)
          {
            engine->stamp[link->line] = stamp;
            g_array_append_val (engine->target_pool, link->line);
          }
        l = link->next;
      }
}

static int
compare_guint (const void *a, const void *b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return (x > y) - (x < y);
}

/* Fills the candidate's target lines. Excluded lines are stamped first so
 * the collection skips them as if already taken. */
static void
collect_targets (Engine *engine, Candidate *candidate)
{
  const TillPromotion *promotion = candidate->promotion;
  guint                stamp = next_stamp (engine);
  gboolean             ascending = FALSE;

  guint n_excluded;

  candidate->target_offset = engine->target_pool->len;
  n_excluded = mark_excluded (engine, promotion, stamp);

  if (promotion->kind == TILL_PROMOTION_BUNDLE)
    collect_from (engine, engine->sku_lines, promotion->bundle_skus, stamp);
  else if (candidate->is_sale ||
           (strv_empty (promotion->skus) && strv_empty (promotion->categories) &&
            strv_empty (promotion->brands)))
    {
      /* Most sale promotions exclude nothing: they share one list. */
      if (n_excluded == 0 && engine->all_len != G_MAXUINT)
        {
          candidate->target_offset = engine->all_offset;
          candidate->target_len = engine->all_len;
          return;
        }
      ascending = TRUE;
      for (guint l = 0; l < engine->n_lines; l++)
        if (engine->stamp[l] != stamp && !engine->lines[l].manual_price)
          g_array_append_val (engine->target_pool, l);
    }
  else
    {
      collect_from (engine, engine->sku_lines, promotion->skus, stamp);
      collect_from (engine, engine->category_lines, promotion->categories, stamp);
      collect_from (engine, engine->brand_lines, promotion->brands, stamp);
    }

  candidate->target_len = engine->target_pool->len - candidate->target_offset;
  if (ascending && n_excluded == 0)
    {
      engine->all_offset = candidate->target_offset;
      engine->all_len = candidate->target_len;
    }
  /* Lines gathered through the hashes come in any order; the others are
   * ascending already. */
  if (candidate->target_len > 1 && !ascending)
    qsort (&g_array_index (engine->target_pool, guint, candidate->target_offset),
           candidate->target_len, sizeof (guint), compare_guint);
}

static const guint *
targets_of (Engine *engine, const Candidate *candidate)
{
  return &g_array_index (engine->target_pool, guint, candidate->target_offset);
}

/* Whether the promotion may take part at all in this sale. */
static gboolean
promotion_in_scope (const TillPromotion *promotion, const TillPricingContext *context, gint64 *cap)
{
  gboolean has_member = context->member_id != NULL && *context->member_id != '\0';

  *cap = promotion->per_sale_limit > 0 ? promotion->per_sale_limit : G_MAXINT64;

  if (context->local_time != NULL && !till_promotion_is_active_at (promotion, context->local_time))
    return FALSE;
  if (!strv_empty (promotion->stores) || !strv_empty (promotion->store_groups))
    {
      if (!strv_contains (promotion->stores, context->store_id) &&
          !strv_contains (promotion->store_groups, context->group_id))
        return FALSE;
    }
  if ((promotion->member_only || promotion->kind == TILL_PROMOTION_MEMBER_PRICE ||
       promotion->kind == TILL_PROMOTION_TIER_DISCOUNT) &&
      !has_member)
    return FALSE;
  if (!strv_empty (promotion->tiers_only) &&
      (!has_member || !strv_contains (promotion->tiers_only, context->member_tier)))
    return FALSE;
  if (promotion->kind == TILL_PROMOTION_COUPON &&
      (promotion->coupon_code == NULL || !strv_contains (context->coupons, promotion->coupon_code)))
    return FALSE;
  if (promotion->per_member_limit > 0 && has_member)
    {
      gint64 used = 0;

      if (context->member_uses != NULL)
        used = GPOINTER_TO_INT (g_hash_table_lookup (context->member_uses, promotion->code));
      if (used >= promotion->per_member_limit)
        return FALSE;
      *cap = MIN (*cap, promotion->per_member_limit - used);
    }
  return TRUE;
}

/* Sums quantity and gross of the targets (claimed or not) for min_quantity
 * and min_amount. */
static gboolean
target_conditions_hold (Engine *engine, const Candidate *candidate)
{
  const TillPromotion *promotion = candidate->promotion;
  const guint         *targets = targets_of (engine, candidate);
  gint64               quantity = 0;
  gint64               amount = 0;

  if (promotion->min_quantity <= 0 && promotion->min_amount <= 0)
    return TRUE;
  for (guint i = 0; i < candidate->target_len; i++)
    {
      quantity += engine->lines[targets[i]].quantity;
      amount += engine->gross[targets[i]];
    }
  return quantity >= promotion->min_quantity && amount >= promotion->min_amount;
}

static int
compare_runs (const void *a, const void *b)
{
  const UnitRun *x = a;
  const UnitRun *y = b;

  if (x->price != y->price)
    return x->price > y->price ? -1 : 1;
  return (x->line > y->line) - (x->line < y->line);
}

static void
touch (Engine *engine, guint line, guint stamp)
{
  if (engine->stamp[line] == stamp)
    return;
  engine->stamp[line] = stamp;
  engine->touched[engine->n_touched++] = line;
}

/* Builds the free target lines' units, dearest first; @extra_price ≥ 0 adds
 * one virtual unit (for hints), with line G_MAXUINT. */
static void
build_runs (Engine      *engine,
            const guint *lines,
            guint        n_lines,
            gboolean     free_only,
            gint64       extra_price,
            gint64      *out_total_units)
{
  guint  n_runs = 0;
  gint64 total = 0;

  for (guint i = 0; i < n_lines; i++)
    {
      guint line = lines[i];

      if ((free_only && engine->claimed[line] != 0) || engine->units[line] <= 0)
        continue;
      engine->runs[n_runs++] = (UnitRun){ engine->unit_price[line], engine->units[line], line };
      total += engine->units[line];
    }
  if (extra_price >= 0)
    {
      engine->runs[n_runs++] = (UnitRun){ extra_price, 1, G_MAXUINT };
      total += 1;
    }
  if (n_runs > 1)
    qsort (engine->runs, n_runs, sizeof (UnitRun), compare_runs);
  *out_total_units = total;
}

/* Takes the next unit of the dearest-first runs at (*run, *used). */
static const UnitRun *
next_unit (Engine *engine, guint *run, gint64 *used)
{
  while (*used >= engine->runs[*run].count)
    {
      (*run)++;
      *used = 0;
    }
  (*used)++;
  return &engine->runs[*run];
}

/* Walks the dearest-first units in complete groups of @group_size. Buy X
 * get Y and nth item (@mix FALSE) take the last @tail units of each group
 * at @bp off; mix and match (@mix TRUE) sells each group for @mix_price as
 * long as that saves. The lines of the groups that save are touched. */
static gint64
walk_groups (Engine  *engine,
             gint64   total_units,
             gint64   group_size,
             gint64   tail,
             gint64   bp,
             gint64   mix_price,
             gint64   cap,
             gboolean mix,
             gint64  *out_times,
             guint    stamp)
{
  gint64 groups = MIN (total_units / group_size, cap);
  gint64 saving = 0;
  gint64 times = 0;
  guint  run = 0;
  gint64 used = 0;

  for (gint64 g = 0; g < groups; g++)
    {
      gint64 group_sum = 0;
      gint64 group_saving = 0;
      guint  first_run;

      /* Skip spent runs so that first_run is the run of the group's first unit. */
      while (used >= engine->runs[run].count)
        {
          run++;
          used = 0;
        }
      first_run = run;
      for (gint64 k = 0; k < group_size; k++)
        {
          const UnitRun *unit = next_unit (engine, &run, &used);

          group_sum += unit->price;
          if (!mix && k >= group_size - tail)
            group_saving += percent_of (unit->price, bp);
        }
      if (mix)
        group_saving = group_sum - mix_price;
      if (group_saving <= 0)
        {
          /* Dearest first: the later groups cost no more, so save no more. */
          if (mix)
            break;
          continue;
        }
      saving += group_saving;
      times++;
      for (guint r = first_run; r <= run; r++)
        if (engine->runs[r].line != G_MAXUINT)
          touch (engine, engine->runs[r].line, stamp);
    }
  *out_times = times;
  return saving;
}

/* Bundle: complete sets, each of the dearest units left of each bundle SKU,
 * as long as a set saves. runs holds each SKU's units, dearest first, from
 * offsets[s]. */
static gint64
evaluate_bundle (
    Engine *engine, const Candidate *candidate, gboolean free_only, gint64 *out_times, guint stamp)
{
  const TillPromotion *promotion = candidate->promotion;
  const guint         *targets = targets_of (engine, candidate);
  guint                n_skus;
  gint64               sets = candidate->cap;
  gint64               saving = 0;
  gint64               times = 0;
  guint                n_runs = 0;
  guint               *offsets;
  guint               *cursor_run;
  gint64              *cursor_used;

  *out_times = 0;
  if (promotion->bundle_skus == NULL || promotion->bundle_quantities == NULL)
    return 0;
  n_skus = g_strv_length (promotion->bundle_skus);
  if (n_skus == 0 || promotion->bundle_quantities->len != n_skus)
    return 0;
  offsets = g_newa (guint, n_skus + 1);
  cursor_run = g_newa (guint, n_skus);
  cursor_used = g_newa (gint64, n_skus);

  for (guint s = 0; s < n_skus; s++)
    {
      gint64 need = g_array_index (promotion->bundle_quantities, gint64, s);
      gint64 have = 0;

      offsets[s] = n_runs;
      for (guint i = 0; i < candidate->target_len; i++)
        {
          guint line = targets[i];

          if ((free_only && engine->claimed[line] != 0) || engine->units[line] <= 0 ||
              g_strcmp0 (engine->lines[line].sku, promotion->bundle_skus[s]) != 0)
            continue;
          engine->runs[n_runs++] = (UnitRun){ engine->unit_price[line], engine->units[line], line };
          have += engine->units[line];
        }
      if (need <= 0)
        return 0;
      sets = MIN (sets, have / need);
      if (n_runs - offsets[s] > 1)
        qsort (engine->runs + offsets[s], n_runs - offsets[s], sizeof (UnitRun), compare_runs);
      cursor_run[s] = offsets[s];
      cursor_used[s] = 0;
    }
  offsets[n_skus] = n_runs;

  for (gint64 set = 0; set < sets; set++)
    {
      gint64 value = 0;

      for (guint s = 0; s < n_skus; s++)
        {
          gint64 need = g_array_index (promotion->bundle_quantities, gint64, s);
          guint  run = cursor_run[s];
          gint64 used = cursor_used[s];

          for (gint64 k = 0; k < need; k++)
            value += next_unit (engine, &run, &used)->price;
        }
      if (value - promotion->bundle_price <= 0)
        break;
      /* This set saves: take its units. */
      for (guint s = 0; s < n_skus; s++)
        {
          gint64 need = g_array_index (promotion->bundle_quantities, gint64, s);

          for (gint64 k = 0; k < need; k++)
            touch (engine, next_unit (engine, &cursor_run[s], &cursor_used[s])->line, stamp);
        }
      saving += value - promotion->bundle_price;
      times++;
    }
  *out_times = times;
  return saving;
}

/* Prices a line promotion (or the gift's condition) on the free target
 * lines; fills engine->touched. @extra_price ≥ 0 adds a virtual unit. */
static gint64
evaluate_line (Engine          *engine,
               const Candidate *candidate,
               gboolean         free_only,
               gint64           extra_price,
               gint64          *out_times)
{
  const TillPromotion *promotion = candidate->promotion;
  const guint         *targets = targets_of (engine, candidate);
  guint                stamp = next_stamp (engine);
  gint64               saving = 0;
  gint64               times = 0;
  gint64               bp;
  gint64               total_units;

  engine->n_touched = 0;
  *out_times = 0;
  if (candidate->target_len == 0 || !target_conditions_hold (engine, candidate))
    return 0;

  switch (promotion->kind)
    {
    case TILL_PROMOTION_PERCENT_OFF:
    case TILL_PROMOTION_TIER_DISCOUNT:
      {
        gint64 amount = 0;

        for (guint i = 0; i < candidate->target_len; i++)
          if ((!free_only || engine->claimed[targets[i]] == 0) && engine->gross[targets[i]] > 0)
            {
              amount += engine->gross[targets[i]];
              touch (engine, targets[i], stamp);
            }
        saving = percent_of (amount, promotion->percent_bp);
        times = saving > 0 ? 1 : 0;
        break;
      }

    case TILL_PROMOTION_FIXED_PRICE:
    case TILL_PROMOTION_MEMBER_PRICE:
      for (guint i = 0; i < candidate->target_len; i++)
        {
          const TillPricingLine *line = &engine->lines[targets[i]];
          gint64                 price;
          gint64                 line_saving;

          if (free_only && engine->claimed[targets[i]] != 0)
            continue;
          price = promotion->kind == TILL_PROMOTION_FIXED_PRICE ? promotion->fixed_price
                                                                : line->member_price;
          if (price <= 0 && promotion->kind == TILL_PROMOTION_MEMBER_PRICE)
            continue;
          if (price >= line->unit_price)
            continue;
          line_saving = engine->gross[targets[i]] - till_money_line_amount (price, line->quantity);
          if (line_saving > 0)
            {
              saving += line_saving;
              touch (engine, targets[i], stamp);
            }
        }
      times = saving > 0 ? 1 : 0;
      break;

    case TILL_PROMOTION_BUY_X_GET_Y:
      if (promotion->buy_quantity <= 0 || promotion->get_quantity <= 0)
        return 0;
      bp = promotion->percent_bp > 0 ? promotion->percent_bp : BP_ONE;
      build_runs (engine, targets, candidate->target_len, free_only, extra_price, &total_units);
      saving = walk_groups (engine, total_units, promotion->buy_quantity + promotion->get_quantity,
                            promotion->get_quantity, bp, 0, candidate->cap, FALSE, &times, stamp);
      break;

    case TILL_PROMOTION_NTH_ITEM:
      if (promotion->nth_item < 2)
        return 0;
      build_runs (engine, targets, candidate->target_len, free_only, extra_price, &total_units);
      saving = walk_groups (engine, total_units, promotion->nth_item, 1, promotion->percent_bp, 0,
                            candidate->cap, FALSE, &times, stamp);
      break;

    case TILL_PROMOTION_MIX_AND_MATCH:
      if (promotion->mix_quantity <= 0)
        return 0;
      build_runs (engine, targets, candidate->target_len, free_only, extra_price, &total_units);
      saving = walk_groups (engine, total_units, promotion->mix_quantity, 0, 0,
                            promotion->mix_price, candidate->cap, TRUE, &times, stamp);
      break;

    case TILL_PROMOTION_BUNDLE:
      saving = evaluate_bundle (engine, candidate, free_only, &times, stamp);
      break;

    case TILL_PROMOTION_GIFT:
      {
        gint64 quantity = 0;
        gint64 amount = 0;

        for (guint i = 0; i < candidate->target_len; i++)
          {
            quantity += engine->lines[targets[i]].quantity;
            amount += engine->gross[targets[i]];
          }
        times = candidate->cap;
        if (promotion->min_quantity > 0)
          times = MIN (times, quantity / promotion->min_quantity);
        if (promotion->min_amount > 0)
          times = MIN (times, amount / promotion->min_amount);
        if (promotion->min_quantity <= 0 && promotion->min_amount <= 0)
          times = MIN (times, 1);
        *out_times = times;
        return 0;
      }

    case TILL_PROMOTION_THRESHOLD:
    case TILL_PROMOTION_COUPON:
    case TILL_PROMOTION_SALE_DISCOUNT:
    default:
      return 0;
    }

  if (saving <= 0)
    {
      engine->n_touched = 0;
      return 0;
    }
  *out_times = times;
  return saving;
}

/* Prices a sale promotion on what is left of its lines; @base_net says
 * which net its min_amount and tiers measure (the net after step 1). */
static gint64
evaluate_sale (Engine          *engine,
               const Candidate *candidate,
               const gint64    *base_net,
               const gint64    *net,
               gint64          *out_times)
{
  const TillPromotion *promotion = candidate->promotion;
  const guint         *targets = targets_of (engine, candidate);
  gint64               base = 0;
  gint64               left = 0;
  gint64               saving = 0;
  gint64               times = 0;

  engine->n_touched = 0;
  *out_times = 0;
  for (guint i = 0; i < candidate->target_len; i++)
    {
      base += base_net[targets[i]];
      left += net[targets[i]];
      if (net[targets[i]] > 0)
        engine->touched[engine->n_touched++] = targets[i];
    }
  if (left <= 0 || base < promotion->min_amount)
    {
      engine->n_touched = 0;
      return 0;
    }

  switch (promotion->kind)
    {
    case TILL_PROMOTION_THRESHOLD:
      if (promotion->every_amount > 0)
        {
          times = MIN (base / promotion->every_amount, candidate->cap);
          saving = times * promotion->every_off;
        }
      else if (promotion->tiers != NULL)
        {
          for (guint t = 0; t < promotion->tiers->len; t++)
            {
              const TillPromotionTier *tier =
                  &g_array_index (promotion->tiers, TillPromotionTier, t);

              if (base >= tier->min_amount && tier->amount_off > saving)
                saving = tier->amount_off;
            }
          times = saving > 0 ? 1 : 0;
        }
      break;

    case TILL_PROMOTION_COUPON:
      saving = promotion->amount_off > 0 ? promotion->amount_off
                                         : percent_of (left, promotion->percent_bp);
      times = 1;
      break;

    case TILL_PROMOTION_SALE_DISCOUNT:
      saving = percent_of (left, promotion->percent_bp);
      times = 1;
      break;

    default:
      break;
    }

  saving = MIN (saving, left);
  if (saving <= 0)
    {
      engine->n_touched = 0;
      return 0;
    }
  *out_times = times;
  return saving;
}

static int
compare_split_ranks (const void *a, const void *b)
{
  const SplitRank *x = a;
  const SplitRank *y = b;

  if (x->remainder != y->remainder)
    return x->remainder > y->remainder ? -1 : 1;
  return (x->line_no > y->line_no) - (x->line_no < y->line_no);
}

/* Records an applied promotion over engine->touched and splits its saving
 * across those lines in proportion to their remaining net. Returns the
 * saving actually applied (capped at what is left). */
static gint64
apply_saving (Engine *engine, guint candidate, gint64 saving, gint64 times)
{
  AppliedEntry entry = { candidate, 0, times, engine->applied_lines->len, 0 };
  SplitRank   *ranks = engine->ranks;
  gint64       left = 0;
  gint64       given = 0;
  guint        n = 0;
  guint        applied_index = engine->applied->len;

  for (guint i = 0; i < engine->n_touched; i++)
    left += engine->net[engine->touched[i]];
  saving = MIN (saving, left);
  if (saving <= 0)
    return 0;

  for (guint i = 0; i < engine->n_touched; i++)
    {
      guint    line = engine->touched[i];
      __int128 product = (__int128) saving * engine->net[line];
      gint64   share = (gint64) (product / left);

      ranks[n++] = (SplitRank){ line, engine->lines[line].line_no, (gint64) (product % left) };
      if (share > 0)
        {
          ShareEntry s = { applied_index, line, share };

          g_array_append_val (engine->shares, s);
          engine->net[line] -= share;
          given += share;
        }
      g_array_append_val (engine->applied_lines, line);
    }
  qsort (ranks, n, sizeof (SplitRank), compare_split_ranks);
  for (guint i = 0; given < saving && i < n; i++)
    {
      ShareEntry s = { applied_index, ranks[i].line, 1 };

      if (engine->net[ranks[i].line] <= 0)
        continue;
      g_array_append_val (engine->shares, s);
      engine->net[ranks[i].line] -= 1;
      given++;
    }
  g_assert (given == saving);

  entry.saving = saving;
  entry.touched_len = engine->n_touched;
  g_array_append_val (engine->applied, entry);
  return saving;
}

static void
reset_scenario (Engine *engine)
{
  memcpy (engine->net, engine->gross, sizeof (gint64) * engine->n_lines);
  memset (engine->claimed, 0, sizeof (guint) * engine->n_lines);
  g_array_set_size (engine->applied, 0);
  g_array_set_size (engine->applied_lines, 0);
  g_array_set_size (engine->shares, 0);
  g_array_set_size (engine->gifts, 0);
  g_hash_table_remove_all (engine->groups_taken);
  for (guint c = 0; c < engine->candidates->len; c++)
    g_array_index (engine->candidates, Candidate, c).done = FALSE;
}

static gboolean
group_free (Engine *engine, const TillPromotion *promotion)
{
  return promotion->stacking != TILL_STACKING_EXCLUSIVE_GROUP ||
         promotion->stacking_group == NULL ||
         !g_hash_table_contains (engine->groups_taken, promotion->stacking_group);
}

static void
take_group (Engine *engine, const TillPromotion *promotion)
{
  if (promotion->stacking == TILL_STACKING_EXCLUSIVE_GROUP && promotion->stacking_group != NULL)
    g_hash_table_add (engine->groups_taken, promotion->stacking_group);
}

static gint
compare_candidate_indices (gconstpointer a, gconstpointer b, gpointer user_data)
{
  Engine *engine = user_data;

  return compare_promotions (
      g_array_index (engine->candidates, Candidate, *(const guint *) a).promotion,
      g_array_index (engine->candidates, Candidate, *(const guint *) b).promotion);
}

static gboolean
stale (Engine *engine, const Candidate *candidate)
{
  const guint *targets = targets_of (engine, candidate);

  for (guint i = 0; i < candidate->target_len; i++)
    if (engine->claimed[targets[i]] > candidate->epoch)
      return TRUE;
  return FALSE;
}

/* Step 1 of the stack scenario: greedy over the line promotions, the best
 * first, each re-evaluated when a line it could use was claimed since. */
static void
stack_line_promotions (Engine *engine)
{
  GArray *open = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint c = 0; c < engine->candidates->len; c++)
    {
      Candidate *candidate = &g_array_index (engine->candidates, Candidate, c);
      gint64     times;

      if (candidate->is_sale || candidate->is_gift ||
          candidate->promotion->stacking == TILL_STACKING_EXCLUSIVE)
        continue;
      candidate->saving = evaluate_line (engine, candidate, TRUE, -1, &times);
      candidate->epoch = engine->epoch;
      if (candidate->saving > 0)
        g_array_append_val (open, c);
    }

  for (;;)
    {
      Candidate *best = NULL;
      guint      best_index = 0;
      gint64     times;

      for (guint i = 0; i < open->len; i++)
        {
          guint      c = g_array_index (open, guint, i);
          Candidate *candidate = &g_array_index (engine->candidates, Candidate, c);

          if (candidate->done)
            continue;
          if (!group_free (engine, candidate->promotion))
            {
              candidate->done = TRUE;
              continue;
            }
          if (stale (engine, candidate))
            {
              candidate->saving = evaluate_line (engine, candidate, TRUE, -1, &times);
              candidate->epoch = engine->epoch;
            }
          if (candidate->saving <= 0)
            {
              candidate->done = TRUE;
              continue;
            }
          if (best == NULL || compare_offers (candidate->saving, candidate->promotion, best->saving,
                                              best->promotion) < 0)
            {
              best = candidate;
              best_index = c;
            }
        }
      if (best == NULL)
        break;

      best->saving = evaluate_line (engine, best, TRUE, -1, &times);
      best->done = TRUE;
      engine->epoch++;
      for (guint i = 0; i < engine->n_touched; i++)
        engine->claimed[engine->touched[i]] = engine->epoch;
      take_group (engine, best->promotion);
      apply_saving (engine, best_index, best->saving, times);
    }
  g_array_unref (open);
}

/* Step 2: greedy over the sale promotions on what is left. */
static void
stack_sale_promotions (Engine *engine)
{
  for (;;)
    {
      Candidate *best = NULL;
      guint      best_index = 0;
      gint64     times;

      for (guint c = 0; c < engine->candidates->len; c++)
        {
          Candidate *candidate = &g_array_index (engine->candidates, Candidate, c);

          if (!candidate->is_sale || candidate->done ||
              candidate->promotion->stacking == TILL_STACKING_EXCLUSIVE)
            continue;
          if (!group_free (engine, candidate->promotion))
            {
              candidate->done = TRUE;
              continue;
            }
          candidate->saving =
              evaluate_sale (engine, candidate, engine->step1_net, engine->net, &times);
          if (candidate->saving <= 0)
            continue;
          if (best == NULL || compare_offers (candidate->saving, candidate->promotion, best->saving,
                                              best->promotion) < 0)
            {
              best = candidate;
              best_index = c;
            }
        }
      if (best == NULL)
        break;
      best->saving = evaluate_sale (engine, best, engine->step1_net, engine->net, &times);
      best->done = TRUE;
      take_group (engine, best->promotion);
      apply_saving (engine, best_index, best->saving, times);
    }
}

static void
add_gift (Engine *engine, guint candidate, gint64 times)
{
  AppliedEntry entry = { candidate, 0, times, 0, 0 };

  g_array_append_val (engine->gifts, entry);
}

static void
stack_gifts (Engine *engine)
{
  g_autoptr (GArray) gifts = g_array_new (FALSE, FALSE, sizeof (guint));

  /* Gifts take group slots in priority, then code order, whatever order the
   * promotions came in. */
  for (guint c = 0; c < engine->candidates->len; c++)
    if (g_array_index (engine->candidates, Candidate, c).is_gift)
      g_array_append_val (gifts, c);
  g_array_sort_with_data (gifts, compare_candidate_indices, engine);

  for (guint g = 0; g < gifts->len; g++)
    {
      guint      c = g_array_index (gifts, guint, g);
      Candidate *candidate = &g_array_index (engine->candidates, Candidate, c);
      gint64     times;

      if (!candidate->is_gift || candidate->promotion->stacking == TILL_STACKING_EXCLUSIVE ||
          !group_free (engine, candidate->promotion))
        continue;
      evaluate_line (engine, candidate, FALSE, -1, &times);
      if (times <= 0)
        continue;
      take_group (engine, candidate->promotion);
      add_gift (engine, c, times);
    }
}

/* The promotion that leads a scenario, for ties: the highest priority,
 * then the lowest code, of those applied. */
static const TillPromotion *
scenario_lead (Engine *engine)
{
  const TillPromotion *lead = NULL;

  for (guint i = 0; i < engine->applied->len; i++)
    {
      const Candidate *c =
          &g_array_index (engine->candidates, Candidate,
                          g_array_index (engine->applied, AppliedEntry, i).candidate);

      if (lead == NULL || compare_promotions (c->promotion, lead) < 0)
        lead = c->promotion;
    }
  for (guint i = 0; i < engine->gifts->len; i++)
    {
      const Candidate *c = &g_array_index (
          engine->candidates, Candidate, g_array_index (engine->gifts, AppliedEntry, i).candidate);

      if (lead == NULL || compare_promotions (c->promotion, lead) < 0)
        lead = c->promotion;
    }
  return lead;
}

static gint64
scenario_saving (Engine *engine)
{
  gint64 saving = 0;

  for (guint i = 0; i < engine->applied->len; i++)
    saving += g_array_index (engine->applied, AppliedEntry, i).saving;
  return saving;
}

/* Prices an exclusive promotion alone on gross; fills engine->touched. */
static gint64
evaluate_alone (Engine *engine, Candidate *candidate, gint64 *times)
{
  if (candidate->is_sale)
    return evaluate_sale (engine, candidate, engine->gross, engine->gross, times);
  return evaluate_line (engine, candidate, FALSE, -1, times);
}

static void
apply_alone (Engine *engine, guint index)
{
  Candidate *candidate = &g_array_index (engine->candidates, Candidate, index);
  gint64     times;
  gint64     saving;

  reset_scenario (engine);
  memcpy (engine->step1_net, engine->gross, sizeof (gint64) * engine->n_lines);
  saving = evaluate_alone (engine, candidate, &times);
  if (candidate->is_gift)
    {
      if (times > 0)
        add_gift (engine, index, times);
      return;
    }
  if (saving > 0)
    apply_saving (engine, index, saving, times);
  /* A line promotion alone is step 1: hints measure after it. */
  if (!candidate->is_sale)
    memcpy (engine->step1_net, engine->net, sizeof (gint64) * engine->n_lines);
}

typedef struct
{
  gint64           ratio; /* missing share in basis points: smaller is closer */
  TillPricingHint *hint;
} RankedHint;

static int
compare_hints (const void *a, const void *b)
{
  const RankedHint *x = a;
  const RankedHint *y = b;

  if (x->ratio != y->ratio)
    return x->ratio < y->ratio ? -1 : 1;
  return g_strcmp0 (x->hint->code, y->hint->code);
}

static void
hint_free (TillPricingHint *hint)
{
  g_free (hint->code);
  g_free (hint->name);
  g_free (hint);
}

static void
add_hint (GArray              *ranked,
          const TillPromotion *promotion,
          gint64               missing_amount,
          gint64               missing_quantity,
          gint64               saving,
          gint64               ratio)
{
  TillPricingHint *hint = g_new0 (TillPricingHint, 1);
  RankedHint       entry = { ratio, hint };

  hint->code = g_strdup (promotion->code);
  hint->name = g_strdup (promotion->name);
  hint->missing_amount = missing_amount;
  hint->missing_quantity = missing_quantity;
  hint->saving = saving;
  g_array_append_val (ranked, entry);
}

static void
collect_hints (Engine *engine, GPtrArray *out)
{
  g_autoptr (GArray) ranked = g_array_new (FALSE, FALSE, sizeof (RankedHint));

  for (guint c = 0; c < engine->candidates->len; c++)
    {
      Candidate           *candidate = &g_array_index (engine->candidates, Candidate, c);
      const TillPromotion *promotion = candidate->promotion;
      const guint         *targets = targets_of (engine, candidate);

      if (candidate->target_len == 0)
        continue;
      if (promotion->kind == TILL_PROMOTION_THRESHOLD)
        {
          gint64 base = 0;

          for (guint i = 0; i < candidate->target_len; i++)
            base += engine->step1_net[targets[i]];
          if (promotion->every_amount > 0 && promotion->every_off > 0)
            {
              gint64 times = base / promotion->every_amount;
              gint64 missing = (times + 1) * promotion->every_amount - base;

              if (times + 1 <= candidate->cap && missing * 10 <= promotion->every_amount * 3)
                add_hint (ranked, promotion, missing, 0, (times + 1) * promotion->every_off,
                          missing * BP_ONE / promotion->every_amount);
            }
          else if (promotion->tiers != NULL)
            for (guint t = 0; t < promotion->tiers->len; t++)
              {
                const TillPromotionTier *tier =
                    &g_array_index (promotion->tiers, TillPromotionTier, t);
                gint64 missing = tier->min_amount - base;

                if (missing <= 0)
                  continue;
                if (missing * 10 <= tier->min_amount * 3 && tier->amount_off > 0)
                  add_hint (ranked, promotion, missing, 0, tier->amount_off,
                            missing * BP_ONE / tier->min_amount);
                break;
              }
        }
      else if (promotion->kind == TILL_PROMOTION_BUY_X_GET_Y ||
               promotion->kind == TILL_PROMOTION_NTH_ITEM ||
               promotion->kind == TILL_PROMOTION_MIX_AND_MATCH)
        {
          gint64 group = promotion->kind == TILL_PROMOTION_BUY_X_GET_Y
                             ? promotion->buy_quantity + promotion->get_quantity
                         : promotion->kind == TILL_PROMOTION_NTH_ITEM ? promotion->nth_item
                                                                      : promotion->mix_quantity;
          gint64 units = 0;
          gint64 cheapest = G_MAXINT64;
          gint64 now_times;
          gint64 next_times;
          gint64 now;
          gint64 next;

          if (group < 2)
            continue;
          for (guint i = 0; i < candidate->target_len; i++)
            if (engine->units[targets[i]] > 0)
              {
                units += engine->units[targets[i]];
                cheapest = MIN (cheapest, engine->unit_price[targets[i]]);
              }
          if (units == 0 || units % group != group - 1 || units / group >= candidate->cap)
            continue;
          now = evaluate_line (engine, candidate, FALSE, -1, &now_times);
          next = evaluate_line (engine, candidate, FALSE, cheapest, &next_times);
          if (next > now)
            add_hint (ranked, promotion, 0, TILL_QUANTITY_ONE, next, BP_ONE / group);
        }
    }

  g_array_sort (ranked, compare_hints);
  for (guint i = 0; i < ranked->len; i++)
    {
      TillPricingHint *hint = g_array_index (ranked, RankedHint, i).hint;

      if (out->len < HINT_MAX)
        g_ptr_array_add (out, hint);
      else
        hint_free (hint);
    }
}

static void
applied_free (TillPricingApplied *applied)
{
  g_free (applied->code);
  g_free (applied->name);
  g_clear_pointer (&applied->line_nos, g_array_unref);
  g_free (applied);
}

static void
line_result_free (TillPricingLineResult *line)
{
  g_clear_pointer (&line->shares, g_array_unref);
  g_free (line);
}

static void
gift_free (TillPricingGift *gift)
{
  g_free (gift->code);
  g_free (gift->sku);
  g_free (gift);
}

static int
compare_applied (gconstpointer a, gconstpointer b)
{
  const TillPricingApplied *x = *(TillPricingApplied *const *) a;
  const TillPricingApplied *y = *(TillPricingApplied *const *) b;

  if (x->saving != y->saving)
    return x->saving > y->saving ? -1 : 1;
  return g_strcmp0 (x->code, y->code);
}

static TillPricingResult *
build_result (Engine *engine)
{
  TillPricingResult *result = g_new0 (TillPricingResult, 1);

  result->lines = g_ptr_array_new_with_free_func ((GDestroyNotify) line_result_free);
  result->applied = g_ptr_array_new_with_free_func ((GDestroyNotify) applied_free);
  result->gifts = g_ptr_array_new_with_free_func ((GDestroyNotify) gift_free);
  result->hints = g_ptr_array_new_with_free_func ((GDestroyNotify) hint_free);

  for (guint l = 0; l < engine->n_lines; l++)
    {
      TillPricingLineResult *line = g_new0 (TillPricingLineResult, 1);

      line->line_no = engine->lines[l].line_no;
      line->gross = engine->gross[l];
      line->shares = till_pricing_shares_new ();
      g_ptr_array_add (result->lines, line);
      result->gross += line->gross;
    }

  for (guint i = 0; i < engine->shares->len; i++)
    {
      const ShareEntry   *share = &g_array_index (engine->shares, ShareEntry, i);
      const AppliedEntry *entry = &g_array_index (engine->applied, AppliedEntry, share->applied);
      const Candidate *candidate = &g_array_index (engine->candidates, Candidate, entry->candidate);
      TillPricingLineResult *line = g_ptr_array_index (result->lines, share->line);
      const TillPromotion   *promotion = candidate->promotion;
      TillPricingShare      *last = NULL;

      line->discount += share->amount;
      if (line->shares->len > 0)
        last = &g_array_index (line->shares, TillPricingShare, line->shares->len - 1);
      /* A saving's fen come in two steps (floor, then the remainder). */
      if (last != NULL && strcmp (last->code, promotion->code) == 0)
        last->amount += share->amount;
      else
        {
          TillPricingShare added = { g_strdup (promotion->code), g_strdup (promotion->name),
                                     share->amount };

          g_array_append_val (line->shares, added);
        }
    }
  for (guint l = 0; l < engine->n_lines; l++)
    {
      TillPricingLineResult *line = g_ptr_array_index (result->lines, l);

      line->net = line->gross - line->discount;
    }

  for (guint i = 0; i < engine->applied->len; i++)
    {
      const AppliedEntry  *entry = &g_array_index (engine->applied, AppliedEntry, i);
      const TillPromotion *promotion =
          g_array_index (engine->candidates, Candidate, entry->candidate).promotion;
      TillPricingApplied *applied = g_new0 (TillPricingApplied, 1);
      g_autofree guint   *line_nos = g_new (guint, MAX (entry->touched_len, 1));

      applied->code = g_strdup (promotion->code);
      applied->name = g_strdup (promotion->name);
      applied->saving = entry->saving;
      applied->times = (guint) CLAMP (entry->times, 1, G_MAXUINT);
      for (guint k = 0; k < entry->touched_len; k++)
        line_nos[k] =
            engine->lines[g_array_index (engine->applied_lines, guint, entry->touched_offset + k)]
                .line_no;
      qsort (line_nos, entry->touched_len, sizeof (guint), compare_guint);
      applied->line_nos = g_array_sized_new (FALSE, FALSE, sizeof (guint), entry->touched_len);
      g_array_append_vals (applied->line_nos, line_nos, entry->touched_len);
      g_ptr_array_add (result->applied, applied);
      result->saving += entry->saving;
    }
  g_ptr_array_sort (result->applied, compare_applied);

  for (guint i = 0; i < engine->gifts->len; i++)
    {
      const AppliedEntry  *entry = &g_array_index (engine->gifts, AppliedEntry, i);
      const TillPromotion *promotion =
          g_array_index (engine->candidates, Candidate, entry->candidate).promotion;
      TillPricingGift *gift;

      if (promotion->gift_sku == NULL)
        continue;
      gift = g_new0 (TillPricingGift, 1);
      gift->code = g_strdup (promotion->code);
      gift->sku = g_strdup (promotion->gift_sku);
      gift->quantity = entry->times * (promotion->gift_quantity > 0 ? promotion->gift_quantity
                                                                    : TILL_QUANTITY_ONE);
      g_ptr_array_add (result->gifts, gift);
    }

  result->total = result->gross - result->saving;
  return result;
}

/* Public API */

/**
 * till_pricing_kind_is_whole_sale:
 *
 * Returns: whether promotions of @kind apply to the whole sale (threshold,
 *   coupon, sale discount), after the line promotions
 */
gboolean
till_pricing_kind_is_whole_sale (TillPromotionKind kind)
{
  return kind == TILL_PROMOTION_THRESHOLD || kind == TILL_PROMOTION_COUPON ||
         kind == TILL_PROMOTION_SALE_DISCOUNT;
}

static void
share_clear (TillPricingShare *share)
{
  g_clear_pointer (&share->code, g_free);
  g_clear_pointer (&share->name, g_free);
}

/**
 * till_pricing_shares_new:
 *
 * Returns: (transfer full): an empty array of TillPricingShare
 */
GArray *
till_pricing_shares_new (void)
{
  GArray *shares = g_array_new (FALSE, FALSE, sizeof (TillPricingShare));

  g_array_set_clear_func (shares, (GDestroyNotify) share_clear);
  return shares;
}

/**
 * till_pricing_shares_copy:
 *
 * Returns: (transfer full): a deep copy of @shares (%NULL: an empty array)
 */
GArray *
till_pricing_shares_copy (GArray *shares)
{
  GArray *copy = till_pricing_shares_new ();

  for (guint i = 0; shares != NULL && i < shares->len; i++)
    {
      const TillPricingShare *share = &g_array_index (shares, TillPricingShare, i);
      TillPricingShare added = { g_strdup (share->code), g_strdup (share->name), share->amount };

      g_array_append_val (copy, added);
    }
  return copy;
}

/**
 * till_pricing_result_free:
 *
 * Frees a result of till_pricing_compute().
 */
void
till_pricing_result_free (TillPricingResult *result)
{
  if (result == NULL)
    return;
  g_clear_pointer (&result->lines, g_ptr_array_unref);
  g_clear_pointer (&result->applied, g_ptr_array_unref);
  g_clear_pointer (&result->gifts, g_ptr_array_unref);
  g_clear_pointer (&result->hints, g_ptr_array_unref);
  g_free (result);
}

/**
 * till_pricing_compute:
 *
 * Prices the cart: see till-pricing.h and this file's top comment for the
 * rules. Never fails.
 */
TillPricingResult *
till_pricing_compute (const TillPricingLine    *lines,
                      guint                     n_lines,
                      GPtrArray                *promotions,
                      const TillPricingContext *context)
{
  Engine               engine = { 0 };
  TillPricingResult   *result;
  gint64               best_exclusive_saving = 0;
  gint                 best_exclusive = -1;
  gint64               stack_saving;
  const TillPromotion *stack_lead;

  g_return_val_if_fail (lines != NULL || n_lines == 0, NULL);
  g_return_val_if_fail (context != NULL, NULL);

  engine.lines = lines;
  engine.n_lines = n_lines;
  engine.context = context;
  engine.gross = g_new0 (gint64, MAX (n_lines, 1) * 5);
  engine.units = engine.gross + n_lines;
  engine.unit_price = engine.units + n_lines;
  engine.net = engine.unit_price + n_lines;
  engine.step1_net = engine.net + n_lines;
  engine.claimed = g_new0 (guint, MAX (n_lines, 1) * 3);
  engine.stamp = engine.claimed + n_lines;
  engine.touched = engine.stamp + n_lines;
  engine.epoch = 1;
  engine.all_len = G_MAXUINT;
  engine.sku_lines = g_hash_table_new (g_str_hash, g_str_equal);
  engine.category_lines = g_hash_table_new (g_str_hash, g_str_equal);
  engine.brand_lines = g_hash_table_new (g_str_hash, g_str_equal);
  engine.chain = g_array_sized_new (FALSE, FALSE, sizeof (LineLink), n_lines * 4);
  engine.candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  engine.target_pool = g_array_sized_new (FALSE, FALSE, sizeof (guint), n_lines * 8);
  engine.applied = g_array_new (FALSE, FALSE, sizeof (AppliedEntry));
  engine.applied_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  engine.shares = g_array_new (FALSE, FALSE, sizeof (ShareEntry));
  engine.gifts = g_array_new (FALSE, FALSE, sizeof (AppliedEntry));
  engine.groups_taken = g_hash_table_new (g_str_hash, g_str_equal);

  /* The cart: gross, units and the target index. */
  for (guint l = 0; l < n_lines; l++)
    {
      const TillPricingLine *line = &lines[l];

      engine.gross[l] = MAX (till_money_line_amount (line->unit_price, line->quantity), 0);
      if (line->manual_price || engine.gross[l] <= 0)
        engine.units[l] = 0;
      else if (line->weighed || line->quantity < TILL_QUANTITY_ONE)
        {
          engine.units[l] = 1;
          engine.unit_price[l] = engine.gross[l];
        }
      else
        {
          engine.units[l] = line->quantity / TILL_QUANTITY_ONE;
          engine.unit_price[l] = line->unit_price;
        }
      chain_add (&engine, engine.sku_lines, line->sku, l);
      chain_add (&engine, engine.brand_lines, line->brand, l);
      if (line->categories != NULL)
        for (guint c = 0; line->categories[c] != NULL; c++)
          chain_add (&engine, engine.category_lines, line->categories[c], l);
    }
  /* One run per line, plus the virtual unit of a hint. */
  engine.runs = g_new (UnitRun, n_lines + 1);
  engine.ranks = g_new (SplitRank, MAX (n_lines, 1));

  /* The promotions that take part, each with its target lines. */
  for (guint p = 0; promotions != NULL && p < promotions->len; p++)
    {
      const TillPromotion *promotion = g_ptr_array_index (promotions, p);
      Candidate            candidate = { 0 };

      if (promotion == NULL || !promotion_in_scope (promotion, context, &candidate.cap))
        continue;
      candidate.promotion = promotion;
      candidate.is_sale = till_pricing_kind_is_whole_sale (promotion->kind);
      candidate.is_gift = promotion->kind == TILL_PROMOTION_GIFT;
      collect_targets (&engine, &candidate);
      if (candidate.target_len == 0)
        continue;
      g_array_append_val (engine.candidates, candidate);
    }
  /* No sort: every choice below compares saving, priority and code, so the
   * promotions' order never matters (gifts sort their few among them). */

  /* The stack scenario. */
  reset_scenario (&engine);
  stack_line_promotions (&engine);
  memcpy (engine.step1_net, engine.net, sizeof (gint64) * n_lines);
  stack_sale_promotions (&engine);
  stack_gifts (&engine);
  stack_saving = scenario_saving (&engine);
  stack_lead = scenario_lead (&engine);

  /* Each exclusive promotion alone. */
  for (guint c = 0; c < engine.candidates->len; c++)
    {
      Candidate *candidate = &g_array_index (engine.candidates, Candidate, c);
      gint64     times;
      gint64     saving;

      if (candidate->promotion->stacking != TILL_STACKING_EXCLUSIVE)
        continue;
      saving = evaluate_alone (&engine, candidate, &times);
      if (times <= 0 && saving <= 0)
        continue;
      if (best_exclusive < 0 ||
          compare_offers (saving, candidate->promotion, best_exclusive_saving,
                          g_array_index (engine.candidates, Candidate, best_exclusive).promotion) <
              0)
        {
          best_exclusive = (gint) c;
          best_exclusive_saving = saving;
        }
    }
  if (best_exclusive >= 0 &&
      compare_offers (best_exclusive_saving,
                      g_array_index (engine.candidates, Candidate, best_exclusive).promotion,
                      stack_saving, stack_lead) < 0)
    apply_alone (&engine, (guint) best_exclusive);

  result = build_result (&engine);
  collect_hints (&engine, result->hints);

  g_free (engine.gross);
  g_free (engine.claimed);
  g_free (engine.runs);
  g_free (engine.ranks);
  g_hash_table_unref (engine.sku_lines);
  g_hash_table_unref (engine.category_lines);
  g_hash_table_unref (engine.brand_lines);
  g_hash_table_unref (engine.groups_taken);
  g_array_unref (engine.chain);
  g_array_unref (engine.candidates);
  g_array_unref (engine.target_pool);
  g_array_unref (engine.applied);
  g_array_unref (engine.applied_lines);
  g_array_unref (engine.shares);
  g_array_unref (engine.gifts);
  return result;
}
