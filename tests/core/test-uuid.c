/* test-uuid.c: tests for src/core/till-uuid.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "till-core.h"
#include "till-test-util.h"

/* /core/uuid/format */
START_TEST (test_format)
{
  g_autofree char *uuid = till_uuid_v7_new ();

  ck_assert_uint_eq (strlen (uuid), 36);
  ck_assert (till_uuid_is_valid (uuid));
  /* Version 7 in the 13th hex digit, variant 10 in the 17th. */
  ck_assert_int_eq (uuid[14], '7');
  ck_assert_ptr_nonnull (strchr ("89ab", uuid[19]));
  for (const char *p = uuid; *p != '\0'; p++)
    ck_assert_msg (!g_ascii_isupper (*p), "upper case in %s", uuid);
}
END_TEST

/* /core/uuid/time */
START_TEST (test_time)
{
  gint64           before = g_get_real_time () / 1000;
  g_autofree char *uuid = till_uuid_v7_new ();
  gint64           after = g_get_real_time () / 1000;
  gint64           when = till_uuid_v7_get_time (uuid);
  g_autofree char *fixed = till_uuid_v7_new_at (G_GINT64_CONSTANT (1700000000123));

  ck_assert_int_ge (when, before);
  ck_assert_int_le (when, after);
  ck_assert_int_eq (till_uuid_v7_get_time (fixed), G_GINT64_CONSTANT (1700000000123));
  /* 1700000000123 ms = 0x018bcfe5687b: the first 12 hex digits. */
  ck_assert (g_str_has_prefix (fixed, "018bcfe5-687b-7"));
}
END_TEST

/* /core/uuid/monotonic: many in the same millisecond still sort in order */
START_TEST (test_monotonic)
{
  g_autofree char *previous = till_uuid_v7_new ();
  guint            same_ms = 0;

  for (int i = 0; i < 20000; i++)
    {
      g_autofree char *next = till_uuid_v7_new ();

      ck_assert_msg (strcmp (previous, next) < 0, "%s then %s", previous, next);
      if (till_uuid_v7_get_time (previous) == till_uuid_v7_get_time (next))
        same_ms++;
      g_free (previous);
      previous = g_steal_pointer (&next);
    }
  /* The loop is far faster than 1 ms per uuid, so the counter path was taken. */
  ck_assert_uint_gt (same_ms, 100);
}
END_TEST

/* /core/uuid/monotonic-fixed-ms: a counter overflow carries into the timestamp */
START_TEST (test_monotonic_fixed_ms)
{
  gint64           ms = g_get_real_time () / 1000 + 60 * 1000;
  g_autofree char *previous = till_uuid_v7_new_at (ms);

  /* More than the 4096 a 12-bit counter holds. */
  for (int i = 0; i < 5000; i++)
    {
      g_autofree char *next = till_uuid_v7_new_at (ms);

      ck_assert_msg (strcmp (previous, next) < 0, "%s then %s", previous, next);
      ck_assert_int_ge (till_uuid_v7_get_time (next), ms);
      g_free (previous);
      previous = g_steal_pointer (&next);
    }
  ck_assert_int_gt (till_uuid_v7_get_time (previous), ms);
}
END_TEST

/* /core/uuid/unique */
START_TEST (test_unique)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (int i = 0; i < 10000; i++)
    {
      char *uuid = till_uuid_v7_new ();

      ck_assert_msg (g_hash_table_add (seen, uuid), "duplicate %s", uuid);
    }
}
END_TEST

/* /core/uuid/valid */
START_TEST (test_valid)
{
  ck_assert (till_uuid_is_valid ("018bcfe5-687b-7abc-8def-0123456789ab"));
  ck_assert (till_uuid_is_valid ("00000000-0000-4000-8000-000000000000"));
  ck_assert (!till_uuid_is_valid (NULL));
  ck_assert (!till_uuid_is_valid (""));
  ck_assert (!till_uuid_is_valid ("018BCFE5-687B-7ABC-8DEF-0123456789AB"));
  ck_assert (!till_uuid_is_valid ("018bcfe5687b7abc8def0123456789ab"));
  ck_assert (!till_uuid_is_valid ("018bcfe5-687b-7abc-8def-0123456789a"));
  ck_assert (!till_uuid_is_valid ("018bcfe5-687b-7abc-8def-0123456789abc"));
  ck_assert (!till_uuid_is_valid ("018bcfe5-687b-7abc-8def_0123456789ab"));
  ck_assert (!till_uuid_is_valid ("018bcfe5-687b-7abc-8def-0123456789ag"));

  /* Only version 7 carries a time. */
  ck_assert_int_eq (till_uuid_v7_get_time ("00000000-0000-4000-8000-000000000000"), -1);
  ck_assert_int_eq (till_uuid_v7_get_time ("018bcfe5-687b-7abc-cdef-0123456789ab"), -1);
  ck_assert_int_eq (till_uuid_v7_get_time ("garbage"), -1);
}
END_TEST

static Suite *
uuid_suite (void)
{
  Suite *suite = suite_create ("core/uuid");
  TCase *tc = tcase_create ("uuid");

  tcase_add_test (tc, test_format);
  tcase_add_test (tc, test_time);
  tcase_add_test (tc, test_monotonic);
  tcase_add_test (tc, test_monotonic_fixed_ms);
  tcase_add_test (tc, test_unique);
  tcase_add_test (tc, test_valid);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (uuid_suite ());
}
