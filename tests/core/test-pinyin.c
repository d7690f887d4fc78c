/* test-pinyin.c: tests for src/core/till-pinyin.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include "till-core.h"
#include "till-test-util.h"

static void
assert_initials (const char *text, const char *expected)
{
  g_autofree char *initials = till_pinyin_initials (text);

  ck_assert_msg (g_strcmp0 (initials, expected) == 0, "%s → %s, expected %s", text, initials,
                 expected);
}

/* /core/pinyin/common-words */
START_TEST (test_common_words)
{
  assert_initials ("可口可乐", "KKKL");
  assert_initials ("矿泉水", "KQS");
  assert_initials ("牛奶", "NN");
  assert_initials ("方便面", "FBM");
  assert_initials ("农夫山泉", "NFSQ");
  assert_initials ("康师傅", "KSF");
  assert_initials ("薯片", "SP");
  assert_initials ("酸奶", "SN");
  assert_initials ("香蕉", "XJ");
  assert_initials ("鸡蛋", "JD");
  assert_initials ("面包", "MB");
  assert_initials ("啤酒", "PJ");
  assert_initials ("阿胶", "AJ");    /* the first code of A */
  assert_initials ("座", "Z");       /* the last level-1 character, 0xD7F9 */
  assert_initials ("哈密瓜", "HMG"); /* 哈 is 0xB9FE, the first code of H */
}
END_TEST

/* /core/pinyin/ascii-and-punctuation */
START_TEST (test_ascii)
{
  assert_initials ("可口可乐500ml", "KKKL500ML");
  assert_initials ("农夫山泉 饮用天然水 550ml", "NFSQYYTRS550ML");
  assert_initials ("  -_%!", "");
  assert_initials ("", "");
  assert_initials ("ＡＢｃ１２", "ABC12"); /* full-width */
  assert_initials ("30g×9支", "30G9Z");
  assert_initials ("（演示）", "YS");
}
END_TEST

/* /core/pinyin/level-two-and-outside */
START_TEST (test_level_two)
{
  /* GB2312 level 2 is sorted by radical: these need the explicit table. */
  assert_initials ("怡宝", "YB");
  assert_initials ("德芙", "DF");
  assert_initials ("草莓", "CM");
  assert_initials ("猕猴桃", "MHT");
  assert_initials ("蚝油", "HY");
  assert_initials ("枸杞", "GQ");
  assert_initials ("馄饨", "HT");
  assert_initials ("枇杷", "PP");
  assert_initials ("沐浴露", "MYL");
  /* 焗 is not in GB2312 at all. */
  assert_initials ("焗油", "JY");
}
END_TEST

/* /core/pinyin/polyphones */
START_TEST (test_polyphones)
{
  assert_initials ("可乐", "KL");
  assert_initials ("调味料", "TWL");
  assert_initials ("重庆小面", "CQXM");
  assert_initials ("咖喱", "GL");
  assert_initials ("咖啡", "KF");
  assert_initials ("银行", "YH");
  assert_initials ("长城", "CC");
  assert_initials ("猪肉脯", "ZRF");
  assert_initials ("弹面", "TM");
  assert_initials ("人参", "RS");
}
END_TEST

/* /core/pinyin/demo-names */
START_TEST (test_demo_names)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *scratch = till_test_make_tmpdir ();
  g_autofree char *db_path = g_build_filename (scratch, "till.db", NULL);
  g_autoptr (TillStore) store = till_store_open (db_path, &error);
  g_autoptr (sqlite3_stmt) stmt = NULL;
  guint n_names = 0;

  ck_assert_ptr_nonnull (store);
  /* A store big enough to hold every base product, variant and grade. */
  ck_assert_msg (till_demo_populate (store, 6000, 7, &error), "%s", error ? error->message : "");
  ck_assert_int_eq (sqlite3_prepare_v2 (till_store_get_db (store),
                                        "SELECT name, pinyin FROM product UNION ALL "
                                        "SELECT name, '' FROM category",
                                        -1, &stmt, NULL),
                    SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char      *name = (const char *) sqlite3_column_text (stmt, 0);
      g_autofree char *initials = till_pinyin_initials (name);
      guint            expected = 0;

      /* Every Han character, ASCII letter and digit gives one initial (the word
       * table keeps the count). */
      for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);

          if ((c >= 0x4E00 && c <= 0x9FFF) || (c < 0x80 && g_ascii_isalnum (c)))
            expected++;
        }
      ck_assert_msg (strlen (initials) == expected, "%s → %s: a character has no initial", name,
                     initials);
      for (const char *p = initials; *p != '\0'; p++)
        ck_assert_msg (g_ascii_isupper (*p) || g_ascii_isdigit (*p), "%s → %s", name, initials);
      n_names++;
    }
  ck_assert_uint_gt (n_names, 6000);
  till_test_remove_tree (scratch);
}
END_TEST

static Suite *
pinyin_suite (void)
{
  Suite *suite = suite_create ("core/pinyin");
  TCase *tc = tcase_create ("initials");

  tcase_add_test (tc, test_common_words);
  tcase_add_test (tc, test_ascii);
  tcase_add_test (tc, test_level_two);
  tcase_add_test (tc, test_polyphones);
  tcase_add_test (tc, test_demo_names);
  suite_add_tcase (suite, tc);
  return suite;
}

int
main (void)
{
  return till_test_run_suite (pinyin_suite ());
}
