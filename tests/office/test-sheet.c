/* test-sheet.c: tests for src/sheet/till-sheet.c: CSV and XLSX in and out,
 * broken workbooks, and report tables
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gstdio.h>
#include <minizip/zip.h>
#include <string.h>

#include "till-sheet.h"
#include "till-test-util.h"

static char *scratch;

static void
setup (void)
{
  scratch = till_test_make_tmpdir ();
}

static void
teardown (void)
{
  till_test_remove_tree (scratch);
  g_clear_pointer (&scratch, g_free);
}

#define ck_assert_error_matches(error, domain, code)                                         \
  ck_assert_msg (g_error_matches ((error), (domain), (code)), "expected %s, got: %s", #code, \
                 (error) != NULL ? (error)->message : "no error")

static char *
scratch_path (const char *name)
{
  return g_build_filename (scratch, name, NULL);
}

static GPtrArray *
make_rows (const char *const *const *rows)
{
  GPtrArray *table = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);

  for (guint r = 0; rows[r] != NULL; r++)
    g_ptr_array_add (table, g_strdupv ((char **) rows[r]));
  return table;
}

static void
assert_rows_equal (GPtrArray *expected, GPtrArray *actual)
{
  ck_assert_uint_eq (actual->len, expected->len);
  for (guint r = 0; r < expected->len; r++)
    {
      char **want = g_ptr_array_index (expected, r);
      char **got = g_ptr_array_index (actual, r);

      ck_assert_msg (g_strv_length (got) == g_strv_length (want), "row %u has %u cells, not %u", r,
                     g_strv_length (got), g_strv_length (want));
      for (guint c = 0; want[c] != NULL; c++)
        ck_assert_msg (g_str_equal (want[c], got[c]), "row %u cell %u: “%s”, not “%s”", r, c,
                       got[c], want[c]);
    }
}

/* Writes a ZIP of @entries (name, content pairs, NULL-terminated). */
static void
write_zip (const char *path, const char *const *entries)
{
  zipFile zip = zipOpen64 (path, APPEND_STATUS_CREATE);

  ck_assert_ptr_nonnull (zip);
  for (guint i = 0; entries[i] != NULL; i += 2)
    {
      ck_assert_int_eq (zipOpenNewFileInZip64 (zip, entries[i], NULL, NULL, 0, NULL, 0, NULL,
                                               Z_DEFLATED, Z_DEFAULT_COMPRESSION, 0),
                        ZIP_OK);
      ck_assert_int_eq (
          zipWriteInFileInZip (zip, entries[i + 1], (unsigned) strlen (entries[i + 1])), ZIP_OK);
      ck_assert_int_eq (zipCloseFileInZip (zip), ZIP_OK);
    }
  ck_assert_int_eq (zipClose (zip, NULL), ZIP_OK);
}

/* A python3 that has openpyxl, or NULL (then that part is skipped). */
static const char *
python_with_openpyxl (void)
{
  static const char *const candidates[] = { "python3", "/usr/bin/python3" };

  for (gsize i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      const char *argv[] = { candidates[i], "-c", "import openpyxl", NULL };
      int         status = -1;

      if (g_spawn_sync (NULL, (char **) argv, NULL,
                        G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL |
                            G_SPAWN_STDERR_TO_DEV_NULL,
                        NULL, NULL, NULL, NULL, &status, NULL) &&
          g_spawn_check_wait_status (status, NULL))
        return candidates[i];
    }
  return NULL;
}

/* Runs @script with @python and @arg; its standard output. */
static char *
run_python (const char *python, const char *script, const char *arg)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  const char      *argv[] = { python, "-c", script, arg, NULL };
  char            *out = NULL;
  int              status = -1;

  ck_assert_msg (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out,
                               &err, &status, &error),
                 "%s", error ? error->message : "");
  ck_assert_msg (g_spawn_check_wait_status (status, NULL), "python failed: %s", err);
  return out;
}

/* --- CSV ------------------------------------------------------------------- */

/* /sheet/csv-edge-cases: quotes, commas and line breaks in fields, a BOM,
 * CRLF and LF, ragged rows, blank lines at the end. */
START_TEST (test_csv_edge_cases)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) expected = NULL;
  static const char               data[] = "\xef\xbb\xbfsku,name,note\r\n"
                                           "\"007\",\"Cola, \"\"zero\"\"\",\"two\r\nlines\"\r\n"
                                           "8,plain\n"
                                           ",,\n"
                                           "9,\"\",x\"y\n"
                                           "\r\n\n";
  static const char *const        r0[] = { "sku", "name", "note", NULL };
  static const char *const        r1[] = { "007", "Cola, \"zero\"", "two\r\nlines", NULL };
  static const char *const        r2[] = { "8", "plain", NULL };
  static const char *const        r3[] = { "", "", "", NULL };
  static const char *const        r4[] = { "9", "", "x\"y", NULL };
  static const char *const *const table[] = { r0, r1, r2, r3, r4, NULL };

  rows = till_sheet_read_csv (data, sizeof data - 1, &error);
  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  expected = make_rows (table);
  assert_rows_equal (expected, rows);

  /* No final line break, and an empty file. */
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = till_sheet_read_csv ("a,b", 3, &error);
  ck_assert_uint_eq (rows->len, 1);
  ck_assert_str_eq (((char **) rows->pdata[0])[1], "b");
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = till_sheet_read_csv ("", 0, &error);
  ck_assert_uint_eq (rows->len, 0);
}
END_TEST

/* /sheet/csv-gb18030: Chinese Excel saves CSV in GB18030. */
START_TEST (test_csv_gb18030)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *gb = NULL;
  gsize            length = 0;

  gb = g_convert ("编码,名称\r\n001,农夫山泉\r\n", -1, "GB18030", "UTF-8", NULL, &length, &error);
  ck_assert_ptr_nonnull (gb);
  /* 农夫山泉 is C5 A9 B7 F2 C9 BD C8 AA in GB18030: not UTF-8. */
  ck_assert (g_strstr_len (gb, (gssize) length, "\xc5\xa9\xb7\xf2\xc9\xbd\xc8\xaa") != NULL);
  rows = till_sheet_read_csv (gb, length, &error);
  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  ck_assert_uint_eq (rows->len, 2);
  ck_assert_str_eq (((char **) rows->pdata[0])[1], "名称");
  ck_assert_str_eq (((char **) rows->pdata[1])[1], "农夫山泉");
}
END_TEST

/* /sheet/csv-broken: an unclosed quote and binary data are refused. */
START_TEST (test_csv_broken)
{
  g_autoptr (GError) error = NULL;
  static const char binary[] = "PK\x03\x04\0\0\xff";

  ck_assert_ptr_null (till_sheet_read_csv ("a,\"b\nc,d\n", 10, &error));
  ck_assert_error_matches (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT);
  g_clear_error (&error);
  ck_assert_ptr_null (till_sheet_read_csv (binary, sizeof binary - 1, &error));
  ck_assert_error_matches (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT);
}
END_TEST

static const char *const header_row[] = { "sku", "名称", "price", "barcode", "note", NULL };
static const char *const row_a[] = { "00123",         "农夫山泉 550ml",      "12.5",
                                     "6921168509256", "a, \"quoted\"\nline", NULL };
static const char *const row_b[] = { "0007", "Cola", "3", "012345678905", "", NULL };
static const char *const row_c[] = { "A-1", "", "0.25", "", "末", NULL };
static const char *const *const sample_table[] = { header_row, row_a, row_b, row_c, NULL };
static const TillSheetCellKind  sample_kinds[] = {
   TILL_SHEET_CELL_TEXT, TILL_SHEET_CELL_TEXT, TILL_SHEET_CELL_NUMBER,
   TILL_SHEET_CELL_TEXT, TILL_SHEET_CELL_TEXT,
};

/* /sheet/csv-write: UTF-8 with a BOM, CRLF, quoted where needed; read back
 * the same. */
START_TEST (test_csv_write)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = make_rows (sample_table);
  g_autoptr (GPtrArray) back = NULL;
  g_autofree char *path = scratch_path ("out.csv");
  g_autofree char *data = NULL;
  gsize            length = 0;

  ck_assert_int_eq (till_sheet_format_for_path (path), TILL_SHEET_CSV);
  ck_assert_msg (till_sheet_write (path, TILL_SHEET_CSV, NULL, rows, sample_kinds,
                                   G_N_ELEMENTS (sample_kinds), &error),
                 "%s", error ? error->message : "");
  ck_assert (g_file_get_contents (path, &data, &length, NULL));
  ck_assert (g_str_has_prefix (data, "\xef\xbb\xbfsku,名称,price,barcode,note\r\n"));
  ck_assert_msg (strstr (data, "\"a, \"\"quoted\"\"\nline\"") != NULL, "%s", data);
  back = till_sheet_read (path, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  assert_rows_equal (rows, back);
}
END_TEST

/* --- XLSX ------------------------------------------------------------------ */

/* /sheet/xlsx-round-trip: written with libxlsxwriter, read back cell by
 * cell: Chinese, leading zeros, numbers, empty cells; and by openpyxl. */
START_TEST (test_xlsx_round_trip)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = make_rows (sample_table);
  g_autoptr (GPtrArray) back = NULL;
  g_autofree char *path = scratch_path ("out.XLSX");
  g_autofree char *part = g_strconcat (path, ".part", NULL);
  const char      *python = python_with_openpyxl ();

  ck_assert_int_eq (till_sheet_format_for_path (path), TILL_SHEET_XLSX);
  ck_assert_msg (till_sheet_write (path, TILL_SHEET_XLSX, "商品/Products", rows, sample_kinds,
                                   G_N_ELEMENTS (sample_kinds), &error),
                 "%s", error ? error->message : "");
  ck_assert (!g_file_test (part, G_FILE_TEST_EXISTS));
  back = till_sheet_read_xlsx (path, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  assert_rows_equal (rows, back);

  if (python == NULL)
    {
      g_printerr ("openpyxl is not installed: the openpyxl checks are skipped\n");
      return;
    }
  {
    /* openpyxl reads what we wrote: text stays text, prices are numbers. */
    static const char script[] =
        "import sys, json, openpyxl\n"
        "wb = openpyxl.load_workbook(sys.argv[1])\n"
        "ws = wb.worksheets[0]\n"
        "out = {'title': ws.title, 'rows': [[c.value for c in r] for r in ws.iter_rows()],\n"
        "       'bold': ws['A1'].font.b, 'price_format': ws['C2'].number_format}\n"
        "print(json.dumps(out, ensure_ascii=False))\n";
    g_autofree char *out = run_python (python, script, path);

    ck_assert_msg (strstr (out, "\"title\": \"商品-Products\"") != NULL, "%s", out);
    ck_assert_msg (strstr (out, "[\"00123\", \"农夫山泉 550ml\", 12.5, \"6921168509256\", "
                                "\"a, \\\"quoted\\\"\\nline\"]") != NULL,
                   "%s", out);
    ck_assert_msg (strstr (out, "[\"0007\", \"Cola\", 3, \"012345678905\", null]") != NULL, "%s",
                   out);
    ck_assert_msg (strstr (out, "\"bold\": true") != NULL, "%s", out);
    ck_assert_msg (strstr (out, "\"price_format\": \"0.0\"") != NULL, "%s", out);
  }
  {
    /* And we read what openpyxl writes: shared strings, a gap, a boolean,
     * a float as Excel stores it. */
    static const char        script[] = "import sys, openpyxl\n"
                                        "wb = openpyxl.Workbook()\n"
                                        "ws = wb.active\n"
                                        "ws.append(['编码', '名称', '售价', '启用'])\n"
                                        "ws.append(['0001', '康师傅 红烧牛肉面', 4.5, True])\n"
                                        "ws['A4'] = 'after a gap'\n"
                                        "ws['C4'] = 19.99\n"
                                        "wb.save(sys.argv[1])\n";
    static const char *const e0[] = { "编码", "名称", "售价", "启用", NULL };
    static const char *const e1[] = { "0001", "康师傅 红烧牛肉面", "4.5", "TRUE", NULL };
    static const char *const e2[] = { "", "", "", "", NULL };
    static const char *const e3[] = { "after a gap", "", "19.99", "", NULL };
    static const char *const *const expected_table[] = { e0, e1, e2, e3, NULL };
    g_autoptr (GPtrArray) expected = make_rows (expected_table);
    g_autoptr (GPtrArray) theirs = NULL;
    g_autofree char *their_path = scratch_path ("openpyxl.xlsx");
    g_autofree char *out = run_python (python, script, their_path);

    theirs = till_sheet_read (their_path, &error);
    ck_assert_msg (theirs != NULL, "%s", error ? error->message : "");
    assert_rows_equal (expected, theirs);
  }
}
END_TEST

/* /sheet/xlsx-by-hand: inline strings, rich text and phonetic runs, cells
 * placed by reference, no workbook.xml (the usual sheet name is tried). */
START_TEST (test_xlsx_by_hand)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *path = scratch_path ("hand.xlsx");
  const char      *entries[] = {
         "xl/sharedStrings.xml",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
              "<si><t>plain &amp; simple</t></si>"
              "<si><r><rPr><b/></rPr><t>rich </t></r><r><t xml:space=\"preserve\">text </t></r>"
              "<rPh sb=\"0\" eb=\"1\"><t>PHONETIC</t></rPh></si>"
              "</sst>",
         "xl/worksheets/sheet1.xml",
         "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
              "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
              "<x:sheetData>"
              "<x:row r=\"1\"><x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c>"
              "<x:c r=\"C1\" t=\"inlineStr\"><x:is><x:t>内联</x:t></x:is></x:c></x:row>"
              "<x:row r=\"3\"><x:c r=\"B3\" t=\"s\"><x:v>1</x:v></x:c>"
              "<x:c r=\"C3\" s=\"1\"/><x:c r=\"D3\" t=\"str\"><x:f>A1</x:f><x:v>formula</x:v></x:c>"
              "<x:c r=\"E3\"><x:v>19.989999999999998</x:v></x:c></x:row>"
              "</x:sheetData></x:worksheet>",
         NULL,
  };
  static const char *const        r0[] = { "plain & simple", "", "内联", "", "", NULL };
  static const char *const        r1[] = { "", "", "", "", "", NULL };
  static const char *const        r2[] = { "", "rich text ", "", "formula", "19.99", NULL };
  static const char *const *const table[] = { r0, r1, r2, NULL };
  g_autoptr (GPtrArray) expected = make_rows (table);

  write_zip (path, entries);
  rows = till_sheet_read_xlsx (path, &error);
  ck_assert_msg (rows != NULL, "%s", error ? error->message : "");
  assert_rows_equal (expected, rows);
}
END_TEST

/* /sheet/xlsx-broken: a truncated workbook, a ZIP without a worksheet, a
 * sheet that does not parse, a shared string that is not there, and a text
 * file named .xlsx are each FORMAT errors, not crashes. */
START_TEST (test_xlsx_broken)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) rows = make_rows (sample_table);
  g_autofree char  *good = scratch_path ("good.xlsx");
  g_autofree char  *truncated = scratch_path ("truncated.xlsx");
  g_autofree char  *no_sheet = scratch_path ("no-sheet.xlsx");
  g_autofree char  *bad_xml = scratch_path ("bad-xml.xlsx");
  g_autofree char  *bad_index = scratch_path ("bad-index.xlsx");
  g_autofree char  *text = scratch_path ("text.xlsx");
  g_autofree char  *data = NULL;
  gsize             length = 0;
  const char       *no_sheet_entries[] = { "docProps/app.xml", "<Properties/>", NULL };
  const char       *bad_xml_entries[] = { "xl/worksheets/sheet1.xml", "<worksheet><sheetData><row>",
                                          NULL };
  const char       *bad_index_entries[] = { "xl/worksheets/sheet1.xml",
                                            "<worksheet><sheetData><row><c t=\"s\"><v>5</v></c></row>"
                                                  "</sheetData></worksheet>",
                                            NULL };
  const char *const broken[] = { truncated, no_sheet, bad_xml, bad_index, text };

  ck_assert (till_sheet_write (good, TILL_SHEET_XLSX, "x", rows, NULL, 0, &error));
  ck_assert (g_file_get_contents (good, &data, &length, NULL));
  ck_assert (g_file_set_contents (truncated, data, (gssize) length / 2, NULL));
  write_zip (no_sheet, no_sheet_entries);
  write_zip (bad_xml, bad_xml_entries);
  write_zip (bad_index, bad_index_entries);
  ck_assert (g_file_set_contents (text, "sku,name\n1,2\n", -1, NULL));

  for (gsize i = 0; i < G_N_ELEMENTS (broken); i++)
    {
      g_autoptr (GPtrArray) read = till_sheet_read (broken[i], &error);

      ck_assert_msg (read == NULL, "%s was read", broken[i]);
      ck_assert_msg (g_error_matches (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT), "%s: %s",
                     broken[i], error ? error->message : "no error");
      g_clear_error (&error);
    }

  /* A missing file is no format error. */
  ck_assert_ptr_null (till_sheet_read_xlsx ("/nonexistent/x.xlsx", &error));
  ck_assert_error_matches (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FAILED);
}
END_TEST

/* --- Reports ---------------------------------------------------------------- */

/* /sheet/report: a hand-built report as CSV and as XLSX. */
START_TEST (test_report)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) back = NULL;
  g_autofree char *csv_path = scratch_path ("report.csv");
  g_autofree char *xlsx_path = scratch_path ("report.xlsx");
  g_autofree char *csv = NULL;
  TillReportColumn columns[] = {
    { .id = "net", .title = "Net sales", .kind = TILL_REPORT_VALUE_MONEY },
    { .id = "margin", .title = "Margin", .kind = TILL_REPORT_VALUE_PERCENT },
    { .id = "sales", .title = "Sales", .kind = TILL_REPORT_VALUE_COUNT },
    { .id = "quantity", .title = "Quantity", .kind = TILL_REPORT_VALUE_QUANTITY },
  };
  gint64        day1_values[] = { 123450, 2534, 12, 1500 };
  gint64        day2_values[] = { -5, 0, 1, 3000 };
  gint64        total_values[] = { 123445, 2533, 13, 4500 };
  TillReportRow day1 = { .key = "2026-11-23", .label = "2026-11-23", .values = day1_values };
  TillReportRow day2 = { .key = "2026-11-24", .label = "农历十月", .values = day2_values };
  TillReportRow totals = { .key = "total", .label = NULL, .values = total_values };
  g_autoptr (GPtrArray) column_list = g_ptr_array_new ();
  g_autoptr (GPtrArray) row_list = g_ptr_array_new ();
  TillReport report = {
    .kind = TILL_REPORT_SALES_BY_PERIOD,
    .title = "Sales 2026-11-23 – 2026-11-24",
    .columns = column_list,
    .rows = row_list,
    .totals = &totals,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (columns); i++)
    g_ptr_array_add (column_list, &columns[i]);
  g_ptr_array_add (row_list, &day1);
  g_ptr_array_add (row_list, &day2);

  ck_assert_msg (till_sheet_write_report (&report, csv_path, TILL_SHEET_CSV, &error), "%s",
                 error ? error->message : "");
  ck_assert (g_file_get_contents (csv_path, &csv, NULL, NULL));
  ck_assert_str_eq (csv, "\xef\xbb\xbfPeriod,Net sales,Margin,Sales,Quantity\r\n"
                         "2026-11-23,1234.50,25.34%,12,1.5\r\n"
                         "农历十月,-0.05,0.00%,1,3\r\n"
                         "Totals,1234.45,25.33%,13,4.5\r\n");

  ck_assert_msg (till_sheet_write_report (&report, xlsx_path, TILL_SHEET_XLSX, &error), "%s",
                 error ? error->message : "");
  back = till_sheet_read_xlsx (xlsx_path, &error);
  ck_assert_msg (back != NULL, "%s", error ? error->message : "");
  {
    static const char *const h[] = { "Period", "Net sales", "Margin", "Sales", "Quantity", NULL };
    static const char *const r1[] = { "2026-11-23", "1234.5", "0.2534", "12", "1.5", NULL };
    static const char *const r2[] = { "农历十月", "-0.05", "0", "1", "3", NULL };
    static const char *const r3[] = { "Totals", "1234.45", "0.2533", "13", "4.5", NULL };
    static const char *const *const table[] = { h, r1, r2, r3, NULL };
    g_autoptr (GPtrArray) expected = make_rows (table);

    assert_rows_equal (expected, back);
  }
  {
    const char       *python = python_with_openpyxl ();
    static const char script[] = "import sys, openpyxl\n"
                                 "ws = openpyxl.load_workbook(sys.argv[1]).worksheets[0]\n"
                                 "print(ws['B2'].number_format, ws['C2'].number_format,"
                                 " ws['A4'].font.b)\n";
    g_autofree char  *out = NULL;

    if (python == NULL)
      return;
    out = run_python (python, script, xlsx_path);
    ck_assert_str_eq (out, "0.00 0.00% True\n");
  }
}
END_TEST

static Suite *
sheet_suite (void)
{
  Suite *suite = suite_create ("sheet");
  struct
  {
    const char  *name;
    const TTest *test;
  } cases[] = {
    { "/sheet/csv-edge-cases", test_csv_edge_cases },
    { "/sheet/csv-gb18030", test_csv_gb18030 },
    { "/sheet/csv-broken", test_csv_broken },
    { "/sheet/csv-write", test_csv_write },
    { "/sheet/xlsx-round-trip", test_xlsx_round_trip },
    { "/sheet/xlsx-by-hand", test_xlsx_by_hand },
    { "/sheet/xlsx-broken", test_xlsx_broken },
    { "/sheet/report", test_report },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      TCase *tcase = tcase_create (cases[i].name);

      tcase_set_timeout (tcase, 60);
      tcase_add_checked_fixture (tcase, setup, teardown);
      tcase_add_test (tcase, cases[i].test);
      suite_add_tcase (suite, tcase);
    }
  return suite;
}

int
main (void)
{
  return till_test_run_suite (sheet_suite ());
}
