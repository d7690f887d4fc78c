/* till-sheet.c: tables in and out of CSV and XLSX files
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "till-sheet"

#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <minizip/unzip.h>
#include <string.h>
#include <xlsxwriter.h>

#include "till-sheet.h"

/* No entry of a workbook, and no CSV file, is read beyond this: a small ZIP
 * can inflate to gigabytes (a "zip bomb"). */
#define MAX_ENTRY_BYTES (200 * 1024 * 1024)
/* Cells a read table may hold, empty ones included: a worksheet of a few
 * bytes can name cell XFD1048576. */
#define MAX_CELLS (20 * 1000 * 1000)
/* What Excel allows. */
#define XLSX_MAX_COLUMNS 16384
#define XLSX_MAX_STRING 32767
#define XLSX_MAX_SHEET_NAME 31
#define XLSX_MAX_COLUMN_WIDTH 60

G_DEFINE_QUARK (till_sheet_error_quark, till_sheet_error)

static const char utf8_bom[] = "\xef\xbb\xbf";

/* --- Rows ------------------------------------------------------------------- */

static GPtrArray *
rows_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
}

/* Ends the cells gathered in @cells as a GStrv row of @rows. */
static void
rows_add_cells (GPtrArray *rows, GPtrArray *cells)
{
  g_ptr_array_add (cells, NULL);
  g_ptr_array_add (rows, g_ptr_array_free (cells, FALSE));
}

static gboolean
row_is_blank (char **row)
{
  for (guint i = 0; row[i] != NULL; i++)
    if (row[i][0] != '\0')
      return FALSE;
  return TRUE;
}

static void
drop_trailing_blank_rows (GPtrArray *rows)
{
  while (rows->len > 0 && row_is_blank (g_ptr_array_index (rows, rows->len - 1)))
    g_ptr_array_remove_index (rows, rows->len - 1);
}

/* --- CSV reading ------------------------------------------------------------- */

/* The text of @data as UTF-8 without a byte-order mark: as it is when it is
 * UTF-8, else converted from GB18030 (what Chinese Excel saves as "CSV"). */
static char *
csv_text_as_utf8 (const char *data, gsize length, gsize *out_length, GError **error)
{
  g_autoptr (GError) convert_error = NULL;
  char *converted;

  if (memchr (data, '\0', length) != NULL)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT,
                   _ ("The file is not a CSV table (it holds binary data)"));
      return NULL;
    }
  if (length >= 3 && memcmp (data, utf8_bom, 3) == 0)
    {
      data += 3;
      length -= 3;
    }
  if (g_utf8_validate_len (data, length, NULL))
    {
      *out_length = length;
      return g_strndup (data, length);
    }
  converted = g_convert (data, length, "UTF-8", "GB18030", NULL, out_length, &convert_error);
  if (converted == NULL)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT,
                   _ ("The file is neither UTF-8 nor GB18030 text: %s"), convert_error->message);
      return NULL;
    }
  return converted;
}

/**
 * till_sheet_read_csv:
 * @data: the file's bytes
 *
 * Reads RFC 4180 CSV: fields separated by commas, rows by CRLF, LF or CR,
 * a field in double quotes may hold commas, line breaks and "" for a quote.
 * A UTF-8 byte-order mark is skipped; text that is not UTF-8 is read as
 * GB18030. Rows keep as many cells as they have; blank lines at the end are
 * dropped.
 *
 * Returns: (transfer full) (element-type GStrv): the rows, or %NULL with
 *   %TILL_SHEET_ERROR_FORMAT (an unclosed quote, binary data) or
 *   %TILL_SHEET_ERROR_TOO_BIG
 */
GPtrArray *
till_sheet_read_csv (const char *data, gsize length, GError **error)
{
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) cells = NULL;
  g_autoptr (GString) field = NULL;
  g_autofree char *text = NULL;
  gsize            text_length = 0;
  gboolean         quoted = FALSE;     /* inside a quoted field */
  gboolean         field_open = FALSE; /* something of the current row was read */
  guint            quote_row = 0;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  text = csv_text_as_utf8 (data != NULL ? data : "", length, &text_length, error);
  if (text == NULL)
    return NULL;

  rows = rows_new ();
  cells = g_ptr_array_new_with_free_func (g_free);
  field = g_string_new (NULL);
  for (gsize i = 0; i < text_length; i++)
    {
      char c = text[i];

      if (quoted)
        {
          if (c != '"')
            g_string_append_c (field, c);
          else if (i + 1 < text_length && text[i + 1] == '"')
            {
              g_string_append_c (field, '"');
              i++;
            }
          else
            quoted = FALSE;
          continue;
        }
      if (c == '"' && field->len == 0)
        {
          quoted = TRUE;
          field_open = TRUE;
          quote_row = rows->len + 1;
        }
      else if (c == ',')
        {
          g_ptr_array_add (cells, g_strndup (field->str, field->len));
          g_string_truncate (field, 0);
          field_open = TRUE;
        }
      else if (c == '\r' || c == '\n')
        {
          if (c == '\r' && i + 1 < text_length && text[i + 1] == '\n')
            i++;
          g_ptr_array_add (cells, g_strndup (field->str, field->len));
          g_string_truncate (field, 0);
          rows_add_cells (rows, g_steal_pointer (&cells));
          cells = g_ptr_array_new_with_free_func (g_free);
          field_open = FALSE;
          if (rows->len > TILL_SHEET_MAX_ROWS)
            {
              g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                           _ ("The file has more than %d rows"), TILL_SHEET_MAX_ROWS);
              return NULL;
            }
        }
      else
        {
          /* A stray quote inside an unquoted field is kept as it is, as
           * spreadsheets do. */
          g_string_append_c (field, c);
          field_open = TRUE;
        }
    }
  if (quoted)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT,
                   _ ("A quote opened on row %u is never closed"), quote_row);
      return NULL;
    }
  if (field_open || field->len > 0)
    {
      g_ptr_array_add (cells, g_strndup (field->str, field->len));
      rows_add_cells (rows, g_steal_pointer (&cells));
    }
  drop_trailing_blank_rows (rows);
  if (rows->len > TILL_SHEET_MAX_ROWS)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                   _ ("The file has more than %d rows"), TILL_SHEET_MAX_ROWS);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

/* --- XLSX reading: the ZIP --------------------------------------------------- */

typedef struct
{
  unzFile zip;
} XlsxIn;

static void
xlsx_in_close (XlsxIn *book)
{
  if (book->zip != NULL)
    unzClose (book->zip);
  g_free (book);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XlsxIn, xlsx_in_close)

static gboolean
format_error (GError **error, const char *entry, const char *why)
{
  g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT,
               _ ("The workbook is broken (%1$s: %2$s)"), entry, why);
  return FALSE;
}

/* Whether the workbook has @name. */
static gboolean
xlsx_in_has (XlsxIn *book, const char *name)
{
  return unzLocateFile (book->zip, name, 1) == UNZ_OK;
}

/* Reads the entry @name whole, refusing more than MAX_ENTRY_BYTES whatever
 * its header claims. NULL with @error set when it is missing or broken. */
static char *
xlsx_in_read (XlsxIn *book, const char *name, gsize *out_length, GError **error)
{
  g_autoptr (GString) data = NULL;
  unz_file_info64 info;
  char            buffer[64 * 1024];
  int             n;
  int             close_rc;

  if (unzLocateFile (book->zip, name, 1) != UNZ_OK)
    {
      format_error (error, name, _ ("missing"));
      return NULL;
    }
  if (unzGetCurrentFileInfo64 (book->zip, &info, NULL, 0, NULL, 0, NULL, 0) != UNZ_OK)
    {
      format_error (error, name, _ ("unreadable entry"));
      return NULL;
    }
  if (info.uncompressed_size > MAX_ENTRY_BYTES)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                   _ ("The workbook’s %s is larger than 200 MB"), name);
      return NULL;
    }
  if (unzOpenCurrentFile (book->zip) != UNZ_OK)
    {
      format_error (error, name, _ ("cannot be opened"));
      return NULL;
    }
  data = g_string_sized_new ((gsize) info.uncompressed_size + 1);
  while ((n = unzReadCurrentFile (book->zip, buffer, sizeof buffer)) > 0)
    {
      if (data->len + (gsize) n > MAX_ENTRY_BYTES)
        {
          unzCloseCurrentFile (book->zip);
          g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                       _ ("The workbook’s %s is larger than 200 MB"), name);
          return NULL;
        }
      g_string_append_len (data, buffer, n);
    }
  close_rc = unzCloseCurrentFile (book->zip);
  if (n < 0 || close_rc != UNZ_OK)
    {
      format_error (error, name, _ ("damaged data"));
      return NULL;
    }
  *out_length = data->len;
  return g_string_free (g_steal_pointer (&data), FALSE);
}

/* --- XLSX reading: the XML ----------------------------------------------------- */

/* g_set_str() is GLib 2.76; the till runs on 2.74. */
static void
replace_string (char **slot, const char *value)
{
  g_free (*slot);
  *slot = g_strdup (value);
}

/* Element and attribute names without their namespace prefix ("x:c" → "c"). */
static const char *
local_name (const char *name)
{
  const char *colon = strrchr (name, ':');

  return colon != NULL ? colon + 1 : name;
}

static const char *
find_attribute (const char **names, const char **values, const char *wanted)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_str_equal (local_name (names[i]), wanted))
      return values[i];
  return NULL;
}

static gboolean
parse_xml (const GMarkupParser *parser,
           gpointer             user_data,
           const char          *name,
           const char          *xml,
           gsize                length,
           GError             **error)
{
  g_autoptr (GMarkupParseContext) context = NULL;
  g_autoptr (GError) parse_error = NULL;

  context = g_markup_parse_context_new (parser, G_MARKUP_PREFIX_ERROR_POSITION, user_data, NULL);
  if (!g_markup_parse_context_parse (context, xml, length, &parse_error) ||
      !g_markup_parse_context_end_parse (context, &parse_error))
    {
      if (parse_error->domain == TILL_SHEET_ERROR)
        g_propagate_error (error, g_steal_pointer (&parse_error));
      else
        format_error (error, name, parse_error->message);
      return FALSE;
    }
  return TRUE;
}

/* workbook.xml: the relationship id of the first worksheet. */
typedef struct
{
  char *first_sheet_rid;
} WorkbookParse;

static void
workbook_start_cb (GMarkupParseContext *context,
                   const char          *element,
                   const char         **names,
                   const char         **values,
                   gpointer             user_data,
                   GError             **error)
{
  WorkbookParse *parse = user_data;

  if (parse->first_sheet_rid == NULL && g_str_equal (local_name (element), "sheet"))
    parse->first_sheet_rid = g_strdup (find_attribute (names, values, "id"));
}

/* workbook.xml.rels: where the relationships point. */
typedef struct
{
  const char *sheet_rid;
  char       *sheet_target;
  char       *strings_target;
} RelsParse;

static void
rels_start_cb (GMarkupParseContext *context,
               const char          *element,
               const char         **names,
               const char         **values,
               gpointer             user_data,
               GError             **error)
{
  RelsParse  *parse = user_data;
  const char *id;
  const char *type;
  const char *target;

  if (!g_str_equal (local_name (element), "Relationship"))
    return;
  id = find_attribute (names, values, "Id");
  type = find_attribute (names, values, "Type");
  target = find_attribute (names, values, "Target");
  if (target == NULL)
    return;
  if (parse->sheet_rid != NULL && g_strcmp0 (id, parse->sheet_rid) == 0)
    replace_string (&parse->sheet_target, target);
  else if (type != NULL && g_str_has_suffix (type, "/sharedStrings"))
    replace_string (&parse->strings_target, target);
}

/* A relationship's target as an entry name: relative to xl/, or absolute. */
static char *
entry_for_target (const char *target)
{
  if (target[0] == '/')
    return g_strdup (target + 1);
  return g_build_path ("/", "xl", target, NULL);
}

/* Finds the first worksheet and the shared strings through workbook.xml and
 * its relationships, falling back to the names every writer uses. */
static gboolean
locate_parts (XlsxIn *book, char **out_sheet, char **out_strings, GError **error)
{
  static const GMarkupParser workbook_parser = { .start_element = workbook_start_cb };
  static const GMarkupParser rels_parser = { .start_element = rels_start_cb };
  WorkbookParse              workbook = { 0 };
  RelsParse                  rels = { 0 };
  g_autofree char           *xml = NULL;
  gsize                      length = 0;

  if (xlsx_in_has (book, "xl/workbook.xml"))
    {
      xml = xlsx_in_read (book, "xl/workbook.xml", &length, error);
      if (xml == NULL ||
          !parse_xml (&workbook_parser, &workbook, "xl/workbook.xml", xml, length, error))
        {
          g_free (workbook.first_sheet_rid);
          return FALSE;
        }
      g_clear_pointer (&xml, g_free);
    }
  if (workbook.first_sheet_rid != NULL && xlsx_in_has (book, "xl/_rels/workbook.xml.rels"))
    {
      rels.sheet_rid = workbook.first_sheet_rid;
      xml = xlsx_in_read (book, "xl/_rels/workbook.xml.rels", &length, error);
      if (xml == NULL ||
          !parse_xml (&rels_parser, &rels, "xl/_rels/workbook.xml.rels", xml, length, error))
        {
          g_free (workbook.first_sheet_rid);
          g_free (rels.sheet_target);
          g_free (rels.strings_target);
          return FALSE;
        }
    }
  g_free (workbook.first_sheet_rid);

  *out_sheet = rels.sheet_target != NULL ? entry_for_target (rels.sheet_target)
                                         : g_strdup ("xl/worksheets/sheet1.xml");
  *out_strings = rels.strings_target != NULL ? entry_for_target (rels.strings_target)
                                             : g_strdup ("xl/sharedStrings.xml");
  g_free (rels.sheet_target);
  g_free (rels.strings_target);
  if (!xlsx_in_has (book, *out_sheet))
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT,
                   _ ("The workbook has no worksheet"));
      g_clear_pointer (out_sheet, g_free);
      g_clear_pointer (out_strings, g_free);
      return FALSE;
    }
  return TRUE;
}

/* sharedStrings.xml: <si> items of plain <t> or rich-text runs <r><t>; the
 * phonetic guides <rPh> are not part of the text. */
typedef struct
{
  GPtrArray *strings;
  GString   *text;
  gboolean   in_item;
  gboolean   in_text;
  guint      phonetic_depth;
} StringsParse;

static void
strings_start_cb (GMarkupParseContext *context,
                  const char          *element,
                  const char         **names,
                  const char         **values,
                  gpointer             user_data,
                  GError             **error)
{
  StringsParse *parse = user_data;
  const char   *name = local_name (element);

  if (g_str_equal (name, "si"))
    {
      parse->in_item = TRUE;
      g_string_truncate (parse->text, 0);
    }
  else if (g_str_equal (name, "rPh"))
    parse->phonetic_depth++;
  else if (g_str_equal (name, "t") && parse->in_item && parse->phonetic_depth == 0)
    parse->in_text = TRUE;
}

static void
strings_end_cb (GMarkupParseContext *context,
                const char          *element,
                gpointer             user_data,
                GError             **error)
{
  StringsParse *parse = user_data;
  const char   *name = local_name (element);

  if (g_str_equal (name, "si"))
    {
      g_ptr_array_add (parse->strings, g_strndup (parse->text->str, parse->text->len));
      parse->in_item = FALSE;
    }
  else if (g_str_equal (name, "rPh") && parse->phonetic_depth > 0)
    parse->phonetic_depth--;
  else if (g_str_equal (name, "t"))
    parse->in_text = FALSE;
}

static void
strings_text_cb (GMarkupParseContext *context,
                 const char          *text,
                 gsize                length,
                 gpointer             user_data,
                 GError             **error)
{
  StringsParse *parse = user_data;

  if (parse->in_text)
    g_string_append_len (parse->text, text, length);
}

/* The worksheet: <row r="3"><c r="B3" t="s"><v>0</v></c>…; cells are kept
 * sparse (row, column, text) until the table's size is known. */
typedef struct
{
  guint row;
  guint column;
  char *text;
} SheetCell;

typedef struct
{
  GPtrArray *strings; /* shared strings */
  GArray    *cells;   /* SheetCell */
  guint      row;     /* 1-based; 0 before the first <row> */
  guint      column;  /* 1-based, of the current or last cell */
  char      *type;    /* the current cell's t= */
  GString   *value;
  gboolean   in_cell;
  gboolean   in_value; /* <v>, or <t> inside <is> */
  gboolean   in_inline;
  guint      phonetic_depth;
  guint      max_row;
  guint      max_column;
} SheetParse;

static void
sheet_cell_clear (gpointer data)
{
  SheetCell *cell = data;

  g_free (cell->text);
}

/* "B3" → column 2, row 3; FALSE when it is not a cell reference. */
static gboolean
parse_cell_reference (const char *reference, guint *out_column, guint *out_row)
{
  const char *p = reference;
  guint64     column = 0;
  guint64     row = 0;

  for (; g_ascii_isalpha (*p); p++)
    {
      column = column * 26 + (guint64) (g_ascii_toupper (*p) - 'A' + 1);
      if (column > XLSX_MAX_COLUMNS)
        return FALSE;
    }
  for (; g_ascii_isdigit (*p); p++)
    {
      row = row * 10 + (guint64) (*p - '0');
      if (row > G_MAXUINT32)
        return FALSE;
    }
  if (*p != '\0' || column == 0)
    return FALSE;
  *out_column = (guint) column;
  *out_row = (guint) row; /* 0: the reference names only a column */
  return TRUE;
}

static gboolean
sheet_too_big (GError **error)
{
  g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
               _ ("The worksheet has more than %d rows"), TILL_SHEET_MAX_ROWS);
  return FALSE;
}

static void
sheet_start_cb (GMarkupParseContext *context,
                const char          *element,
                const char         **names,
                const char         **values,
                gpointer             user_data,
                GError             **error)
{
  SheetParse *parse = user_data;
  const char *name = local_name (element);

  if (g_str_equal (name, "row"))
    {
      const char *r = find_attribute (names, values, "r");
      guint64     row = parse->row + 1;

      if (r != NULL && !g_ascii_string_to_unsigned (r, 10, 1, G_MAXUINT32, &row, NULL))
        {
          format_error (error, "worksheet", _ ("a row number is not a number"));
          return;
        }
      if (row > TILL_SHEET_MAX_ROWS)
        {
          sheet_too_big (error);
          return;
        }
      parse->row = (guint) row;
      parse->column = 0;
    }
  else if (g_str_equal (name, "c"))
    {
      const char *r = find_attribute (names, values, "r");
      guint       column = parse->column + 1;
      guint       row = parse->row;

      if (r != NULL && !parse_cell_reference (r, &column, &row))
        {
          format_error (error, "worksheet", _ ("a cell reference is not valid"));
          return;
        }
      if (row == 0)
        row = MAX (parse->row, 1);
      if (row > TILL_SHEET_MAX_ROWS)
        {
          sheet_too_big (error);
          return;
        }
      if (column > XLSX_MAX_COLUMNS)
        {
          format_error (error, "worksheet", _ ("a cell is beyond the last column"));
          return;
        }
      parse->row = row;
      parse->column = column;
      replace_string (&parse->type, find_attribute (names, values, "t"));
      g_string_truncate (parse->value, 0);
      parse->in_cell = TRUE;
    }
  else if (parse->in_cell && g_str_equal (name, "is"))
    parse->in_inline = TRUE;
  else if (parse->in_cell && g_str_equal (name, "rPh"))
    parse->phonetic_depth++;
  else if (parse->in_cell && !parse->in_inline && g_str_equal (name, "v"))
    parse->in_value = TRUE;
  else if (parse->in_inline && parse->phonetic_depth == 0 && g_str_equal (name, "t"))
    parse->in_value = TRUE;
}

/* A number as a person reads it: Excel keeps 15 significant digits, and a
 * value such as 19.99 may be stored as 19.989999999999998. */
static char *
number_text (const char *value)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (value));
  char             buffer[G_ASCII_DTOSTR_BUF_SIZE];
  guint            digits = 0;
  char            *end = NULL;
  double           number;

  for (const char *p = trimmed; *p != '\0' && *p != 'e' && *p != 'E'; p++)
    if (g_ascii_isdigit (*p))
      digits++;
  if (digits <= 15)
    return g_steal_pointer (&trimmed);
  number = g_ascii_strtod (trimmed, &end);
  if (end == trimmed || *end != '\0' || !isfinite (number))
    return g_steal_pointer (&trimmed);
  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.15g", number));
}

/* The text a cell shows, by its type. */
static char *
cell_text (SheetParse *parse, GError **error)
{
  const char *type = parse->type != NULL ? parse->type : "n";

  if (g_str_equal (type, "s"))
    {
      guint64 index;

      if (parse->strings->len == 0 ||
          !g_ascii_string_to_unsigned (g_strstrip (parse->value->str), 10, 0,
                                       parse->strings->len - 1, &index, NULL))
        {
          format_error (error, "worksheet", _ ("a cell names a shared string that is not there"));
          return NULL;
        }
      return g_strdup (g_ptr_array_index (parse->strings, index));
    }
  if (g_str_equal (type, "b"))
    return g_strdup (g_strcmp0 (g_strstrip (parse->value->str), "1") == 0 ? "TRUE" : "FALSE");
  if (g_str_equal (type, "n"))
    return number_text (parse->value->str);
  /* str (a formula's text), inlineStr, e (an error such as #N/A), d (an
   * ISO date): the text as it is. */
  return g_strndup (parse->value->str, parse->value->len);
}

static void
sheet_end_cb (GMarkupParseContext *context, const char *element, gpointer user_data, GError **error)
{
  SheetParse *parse = user_data;
  const char *name = local_name (element);

  if (g_str_equal (name, "c") && parse->in_cell)
    {
      SheetCell cell = { .row = parse->row, .column = parse->column };

      parse->in_cell = FALSE;
      parse->in_inline = FALSE;
      parse->in_value = FALSE;
      if (parse->value->len == 0 && g_strcmp0 (parse->type, "inlineStr") != 0)
        return; /* a styled empty cell */
      cell.text = cell_text (parse, error);
      if (cell.text == NULL)
        return;
      if (cell.text[0] == '\0')
        {
          g_free (cell.text);
          return;
        }
      g_array_append_val (parse->cells, cell);
      parse->max_row = MAX (parse->max_row, cell.row);
      parse->max_column = MAX (parse->max_column, cell.column);
    }
  else if (g_str_equal (name, "is"))
    parse->in_inline = FALSE;
  else if (g_str_equal (name, "rPh") && parse->phonetic_depth > 0)
    parse->phonetic_depth--;
  else if (g_str_equal (name, "v") || g_str_equal (name, "t"))
    parse->in_value = FALSE;
}

static void
sheet_text_cb (GMarkupParseContext *context,
               const char          *text,
               gsize                length,
               gpointer             user_data,
               GError             **error)
{
  SheetParse *parse = user_data;

  if (parse->in_value)
    g_string_append_len (parse->value, text, length);
}

static int
compare_cells (gconstpointer a, gconstpointer b)
{
  const SheetCell *first = a;
  const SheetCell *second = b;

  if (first->row != second->row)
    return first->row < second->row ? -1 : 1;
  if (first->column != second->column)
    return first->column < second->column ? -1 : 1;
  return 0;
}

/* The sparse cells as a rectangle of rows, empty cells as "". */
static GPtrArray *
sheet_to_rows (SheetParse *parse, GError **error)
{
  g_autoptr (GPtrArray) rows = rows_new ();
  guint width = parse->max_column;

  if ((guint64) parse->max_row * width > MAX_CELLS)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                   _ ("The worksheet has more than %d cells"), MAX_CELLS);
      return NULL;
    }
  g_array_sort (parse->cells, compare_cells);
  for (guint r = 0; r < parse->max_row; r++)
    {
      char **row = g_new0 (char *, width + 1);

      g_ptr_array_add (rows, row);
    }
  for (guint i = 0; i < parse->cells->len; i++)
    {
      SheetCell *cell = &g_array_index (parse->cells, SheetCell, i);
      char     **row = g_ptr_array_index (rows, cell->row - 1);

      /* A cell written twice: the later one wins, as Excel does. */
      g_free (row[cell->column - 1]);
      row[cell->column - 1] = g_steal_pointer (&cell->text);
    }
  for (guint r = 0; r < rows->len; r++)
    {
      char **row = g_ptr_array_index (rows, r);

      for (guint c = 0; c < width; c++)
        if (row[c] == NULL)
          row[c] = g_strdup ("");
    }
  return g_steal_pointer (&rows);
}

static GPtrArray *
read_shared_strings (XlsxIn *book, const char *entry, GError **error)
{
  static const GMarkupParser parser = {
    .start_element = strings_start_cb,
    .end_element = strings_end_cb,
    .text = strings_text_cb,
  };
  g_autoptr (GPtrArray) strings = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *xml = NULL;
  StringsParse     parse = { .strings = strings, .text = text };
  gsize            length = 0;

  if (!xlsx_in_has (book, entry))
    return g_steal_pointer (&strings); /* a workbook of numbers only */
  xml = xlsx_in_read (book, entry, &length, error);
  if (xml == NULL || !parse_xml (&parser, &parse, entry, xml, length, error))
    return NULL;
  return g_steal_pointer (&strings);
}

/**
 * till_sheet_read_xlsx:
 *
 * Reads the first worksheet of the workbook at @path: shared strings (plain
 * and rich text), inline strings, numbers as written (to 15 significant
 * digits, as Excel shows them), booleans as TRUE and FALSE. Every row gets
 * as many cells as the widest, empty cells as "", so cells stay under their
 * headers; empty rows at the end are not returned.
 *
 * Returns: (transfer full) (element-type GStrv): the rows, or %NULL with
 *   %TILL_SHEET_ERROR_FORMAT (not a ZIP, no worksheet, XML that does not
 *   parse), %TILL_SHEET_ERROR_TOO_BIG or %TILL_SHEET_ERROR_FAILED (the file
 *   cannot be opened)
 */
GPtrArray *
till_sheet_read_xlsx (const char *path, GError **error)
{
  static const GMarkupParser parser = {
    .start_element = sheet_start_cb,
    .end_element = sheet_end_cb,
    .text = sheet_text_cb,
  };
  g_autoptr (XlsxIn) book = g_new0 (XlsxIn, 1);
  g_autoptr (GPtrArray) strings = NULL;
  g_autoptr (GArray) cells = NULL;
  g_autoptr (GString) value = NULL;
  g_autofree char *sheet_entry = NULL;
  g_autofree char *strings_entry = NULL;
  g_autofree char *xml = NULL;
  gsize            length = 0;
  SheetParse       parse = { 0 };
  GPtrArray       *rows;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FAILED, _ ("There is no file %s"),
                   path);
      return NULL;
    }
  book->zip = unzOpen64 (path);
  if (book->zip == NULL)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FORMAT,
                   _ ("%s is not an XLSX workbook (not a ZIP file, or a damaged one)"), path);
      return NULL;
    }
  if (!locate_parts (book, &sheet_entry, &strings_entry, error))
    return NULL;
  strings = read_shared_strings (book, strings_entry, error);
  if (strings == NULL)
    return NULL;
  xml = xlsx_in_read (book, sheet_entry, &length, error);
  if (xml == NULL)
    return NULL;

  cells = g_array_new (FALSE, FALSE, sizeof (SheetCell));
  g_array_set_clear_func (cells, sheet_cell_clear);
  value = g_string_new (NULL);
  parse.strings = strings;
  parse.cells = cells;
  parse.value = value;
  if (!parse_xml (&parser, &parse, sheet_entry, xml, length, error))
    {
      g_free (parse.type);
      return NULL;
    }
  g_free (parse.type);
  rows = sheet_to_rows (&parse, error);
  if (rows != NULL)
    drop_trailing_blank_rows (rows);
  return rows;
}

/**
 * till_sheet_format_for_path:
 *
 * Returns: %TILL_SHEET_XLSX for a name ending in ".xlsx" (any case), else
 *   %TILL_SHEET_CSV
 */
TillSheetFormat
till_sheet_format_for_path (const char *path)
{
  g_autofree char *lower = NULL;

  g_return_val_if_fail (path != NULL, TILL_SHEET_CSV);

  lower = g_ascii_strdown (path, -1);
  return g_str_has_suffix (lower, ".xlsx") ? TILL_SHEET_XLSX : TILL_SHEET_CSV;
}

/* Whether the file starts as a ZIP does: an XLSX saved under another name. */
static gboolean
looks_like_zip (const char *data, gsize length)
{
  return length >= 4 && memcmp (data, "PK\x03\x04", 4) == 0;
}

/**
 * till_sheet_read:
 *
 * Reads @path as XLSX when its name ends in ".xlsx" or its content is a
 * ZIP, else as CSV (till_sheet_read_csv()).
 *
 * Returns: (transfer full) (element-type GStrv): the rows, or %NULL with
 *   @error set
 */
GPtrArray *
till_sheet_read (const char *path, GError **error)
{
  g_autoptr (GError) read_error = NULL;
  g_autofree char *data = NULL;
  GStatBuf         info;
  gsize            length = 0;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (till_sheet_format_for_path (path) == TILL_SHEET_XLSX)
    return till_sheet_read_xlsx (path, error);
  if (g_stat (path, &info) == 0 && info.st_size > MAX_ENTRY_BYTES)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                   _ ("%s is larger than 200 MB"), path);
      return NULL;
    }
  if (!g_file_get_contents (path, &data, &length, &read_error))
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_FAILED, "%s", read_error->message);
      return NULL;
    }
  if (looks_like_zip (data, length))
    return till_sheet_read_xlsx (path, error);
  return till_sheet_read_csv (data, length, error);
}

/* --- CSV writing ------------------------------------------------------------- */

static void
csv_append_field (GString *out, const char *field)
{
  gboolean needs_quotes = strpbrk (field, ",\"\r\n") != NULL ||
                          (field[0] != '\0' && (g_ascii_isspace (field[0]) ||
                                                g_ascii_isspace (field[strlen (field) - 1])));

  if (!needs_quotes)
    {
      g_string_append (out, field);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = field; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
csv_append_row (GString *out, char **cells)
{
  for (guint c = 0; cells[c] != NULL; c++)
    {
      if (c > 0)
        g_string_append_c (out, ',');
      csv_append_field (out, cells[c]);
    }
  g_string_append (out, "\r\n");
}

/* Writes @text to @path whole or not at all (a temporary file renamed). */
static gboolean
write_file (const char *path, const char *text, gsize length, GError **error)
{
  g_autoptr (GError) write_error = NULL;

  if (!g_file_set_contents (path, text, length, &write_error))
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_WRITE, "%s", write_error->message);
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_csv (const char *path, GPtrArray *rows, GError **error)
{
  g_autoptr (GString) out = g_string_new (utf8_bom);

  for (guint r = 0; r < rows->len; r++)
    csv_append_row (out, g_ptr_array_index (rows, r));
  return write_file (path, out->str, out->len, error);
}

/* --- XLSX writing ------------------------------------------------------------- */

/* A libxlsxwriter workbook written to a temporary file beside @path, renamed
 * over it once complete, so a failed export leaves no half file. */
typedef struct
{
  char          *path;
  char          *part_path;
  lxw_workbook  *workbook;
  lxw_worksheet *worksheet;
  lxw_format    *header;
  lxw_format    *decimals[4]; /* "0", "0.0", "0.00", "0.000" */
  lxw_format    *percent;
  lxw_format    *bold_decimals[4];
  lxw_format    *bold_percent;
  double        *widths;
  guint          n_columns;
} XlsxOut;

static void
xlsx_out_free (XlsxOut *out)
{
  if (out->workbook != NULL)
    {
      /* Closing writes the file, which is then removed: nothing half made
       * is left. */
      workbook_close (out->workbook);
      g_unlink (out->part_path);
    }
  g_free (out->path);
  g_free (out->part_path);
  g_free (out->widths);
  g_free (out);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XlsxOut, xlsx_out_free)

/* A worksheet name Excel accepts: at most 31 characters, none of []:*?/\. */
static char *
worksheet_name (const char *name)
{
  g_autoptr (GString) clean = g_string_new (NULL);
  guint n = 0;

  for (const char *p = name != NULL ? name : ""; *p != '\0' && n < XLSX_MAX_SHEET_NAME;
       p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (strchr ("[]:*?/\\", (int) c) != NULL && c < 0x80)
        g_string_append_c (clean, '-');
      else
        g_string_append_unichar (clean, c);
    }
  if (clean->len == 0 || clean->str[0] == '\'')
    return g_strdup ("Sheet1");
  return g_string_free (g_steal_pointer (&clean), FALSE);
}

static lxw_format *
new_number_format (lxw_workbook *workbook, const char *num_format, gboolean bold)
{
  lxw_format *format = workbook_add_format (workbook);

  format_set_num_format (format, num_format);
  if (bold)
    format_set_bold (format);
  return format;
}

static XlsxOut *
xlsx_out_new (const char *path, const char *sheet_name, guint n_columns, GError **error)
{
  static const char *const decimal_formats[] = { "0", "0.0", "0.00", "0.000" };
  g_autoptr (XlsxOut) out = g_new0 (XlsxOut, 1);
  g_autofree char     *name = worksheet_name (sheet_name);
  lxw_workbook_options options = { .constant_memory = LXW_FALSE };

  out->path = g_strdup (path);
  out->part_path = g_strconcat (path, ".part", NULL);
  out->n_columns = n_columns;
  out->widths = g_new0 (double, MAX (n_columns, 1));
  out->workbook = workbook_new_opt (out->part_path, &options);
  if (out->workbook == NULL)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_WRITE,
                   _ ("Cannot write the workbook %s"), path);
      return NULL;
    }
  out->worksheet = workbook_add_worksheet (out->workbook, name);
  if (out->worksheet == NULL)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_WRITE,
                   _ ("Cannot add a worksheet to %s"), path);
      return NULL;
    }
  out->header = workbook_add_format (out->workbook);
  format_set_bold (out->header);
  for (guint i = 0; i < G_N_ELEMENTS (decimal_formats); i++)
    {
      out->decimals[i] = new_number_format (out->workbook, decimal_formats[i], FALSE);
      out->bold_decimals[i] = new_number_format (out->workbook, decimal_formats[i], TRUE);
    }
  out->percent = new_number_format (out->workbook, "0.00%", FALSE);
  out->bold_percent = new_number_format (out->workbook, "0.00%", TRUE);
  return g_steal_pointer (&out);
}

static gboolean
xlsx_check (lxw_error rc, XlsxOut *out, GError **error)
{
  if (rc == LXW_NO_ERROR)
    return TRUE;
  g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_WRITE,
               _ ("Cannot write the workbook %1$s: %2$s"), out->path, lxw_strerror (rc));
  return FALSE;
}

static void
xlsx_note_width (XlsxOut *out, guint column, double width)
{
  if (column < out->n_columns)
    out->widths[column] = MAX (out->widths[column], width);
}

/* Columns a text takes: Chinese characters two. */
static double
text_width (const char *text)
{
  double width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  return width;
}

static gboolean
xlsx_write_text (
    XlsxOut *out, guint row, guint column, const char *text, lxw_format *format, GError **error)
{
  if (text[0] == '\0')
    return TRUE;
  if (strlen (text) > XLSX_MAX_STRING)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_WRITE,
                   _ ("A cell on row %u is longer than a workbook allows"), row + 1);
      return FALSE;
    }
  xlsx_note_width (out, column, text_width (text));
  return xlsx_check (worksheet_write_string (out->worksheet, row, (lxw_col_t) column, text, format),
                     out, error);
}

static gboolean
xlsx_write_number (XlsxOut    *out,
                   guint       row,
                   guint       column,
                   double      value,
                   guint       text_length,
                   lxw_format *format,
                   GError    **error)
{
  xlsx_note_width (out, column, text_length);
  return xlsx_check (
      worksheet_write_number (out->worksheet, row, (lxw_col_t) column, value, format), out, error);
}

/* Sets the column widths, closes the workbook and renames it into place. */
static gboolean
xlsx_out_finish (XlsxOut *out, GError **error)
{
  lxw_error rc;

  for (guint c = 0; c < out->n_columns; c++)
    worksheet_set_column (out->worksheet, (lxw_col_t) c, (lxw_col_t) c,
                          MIN (MAX (out->widths[c], 6) + 2, XLSX_MAX_COLUMN_WIDTH), NULL);
  worksheet_freeze_panes (out->worksheet, 1, 0);
  rc = workbook_close (g_steal_pointer (&out->workbook));
  if (rc != LXW_NO_ERROR)
    {
      g_unlink (out->part_path);
      return xlsx_check (rc, out, error);
    }
  if (g_rename (out->part_path, out->path) != 0)
    {
      int saved_errno = errno;

      g_unlink (out->part_path);
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_WRITE,
                   _ ("Cannot write the workbook %1$s: %2$s"), out->path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* A decimal such as "12.50" or "-3": its value and how many decimals it
 * shows (at most 3); FALSE for anything else, which stays text. */
static gboolean
parse_decimal (const char *text, double *out_value, guint *out_decimals)
{
  const char *p = text;
  const char *point;
  char       *end = NULL;
  guint       digits = 0;

  if (*p == '-')
    p++;
  for (; g_ascii_isdigit (*p); p++)
    digits++;
  point = p;
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++)
      digits++;
  /* 15 digits is what a double, and Excel, keep exactly. */
  if (*p != '\0' || digits == 0 || digits > 15 || (p - point) > 4)
    return FALSE;
  *out_value = g_ascii_strtod (text, &end);
  *out_decimals = *point == '.' ? (guint) (p - point - 1) : 0;
  return end == p;
}

static guint
max_row_length (GPtrArray *rows)
{
  guint width = 0;

  for (guint r = 0; r < rows->len; r++)
    width = MAX (width, g_strv_length (g_ptr_array_index (rows, r)));
  return width;
}

static gboolean
write_xlsx (const char              *path,
            const char              *sheet_name,
            GPtrArray               *rows,
            const TillSheetCellKind *column_kinds,
            guint                    n_column_kinds,
            GError                 **error)
{
  g_autoptr (XlsxOut) out = xlsx_out_new (path, sheet_name, max_row_length (rows), error);

  if (out == NULL)
    return FALSE;
  for (guint r = 0; r < rows->len; r++)
    {
      char **cells = g_ptr_array_index (rows, r);

      for (guint c = 0; cells[c] != NULL; c++)
        {
          gboolean number_column = r > 0 && column_kinds != NULL && c < n_column_kinds &&
                                   column_kinds[c] == TILL_SHEET_CELL_NUMBER;
          double value;
          guint  decimals;

          if (number_column && parse_decimal (cells[c], &value, &decimals))
            {
              if (!xlsx_write_number (out, r, c, value, (guint) strlen (cells[c]),
                                      out->decimals[decimals], error))
                return FALSE;
            }
          else if (!xlsx_write_text (out, r, c, cells[c], r == 0 ? out->header : NULL, error))
            return FALSE;
        }
    }
  return xlsx_out_finish (out, error);
}

/**
 * till_sheet_write:
 * @sheet_name: (nullable): the worksheet's name in XLSX (cut to what Excel
 *   allows); ignored for CSV
 *
 * Writes @rows to @path, replacing it whole: CSV as UTF-8 with a byte-order
 * mark (so Excel reads Chinese right), CRLF line ends and fields quoted
 * where needed; XLSX with a bold, frozen header row and columns wide enough
 * for their text. Number cells in XLSX keep the decimals they were written
 * with ("12.50" shows as 12.50).
 *
 * Returns: %TRUE, or %FALSE with %TILL_SHEET_ERROR_WRITE or
 *   %TILL_SHEET_ERROR_TOO_BIG
 */
gboolean
till_sheet_write (const char              *path,
                  TillSheetFormat          format,
                  const char              *sheet_name,
                  GPtrArray               *rows,
                  const TillSheetCellKind *column_kinds,
                  guint                    n_column_kinds,
                  GError                 **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (rows != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (rows->len > TILL_SHEET_MAX_ROWS)
    {
      g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                   _ ("A table of more than %d rows cannot be written"), TILL_SHEET_MAX_ROWS);
      return FALSE;
    }
  if (format == TILL_SHEET_XLSX)
    {
      if (max_row_length (rows) > XLSX_MAX_COLUMNS)
        {
          g_set_error (error, TILL_SHEET_ERROR, TILL_SHEET_ERROR_TOO_BIG,
                       _ ("A table of more than %d columns cannot be written"), XLSX_MAX_COLUMNS);
          return FALSE;
        }
      return write_xlsx (path, sheet_name, rows, column_kinds, n_column_kinds, error);
    }
  return write_csv (path, rows, error);
}

/* --- Reports ------------------------------------------------------------------ */

/* The header of a report's label column. */
static const char *
label_title (TillReportKind kind)
{
  switch (kind)
    {
    case TILL_REPORT_SALES_BY_PERIOD:
      return _ ("Period");
    case TILL_REPORT_SALES_BY_HOUR:
      return _ ("Hour");
    case TILL_REPORT_HOUR_HEATMAP:
      return _ ("Weekday");
    case TILL_REPORT_BY_CATEGORY:
      return _ ("Category");
    case TILL_REPORT_BY_PRODUCT:
    case TILL_REPORT_INVENTORY:
      return _ ("Product");
    case TILL_REPORT_BY_CASHIER:
      return _ ("Cashier");
    case TILL_REPORT_BY_TENDER:
      return _ ("Tender");
    case TILL_REPORT_MEMBERS_VS_OTHERS:
      return _ ("Customers");
    case TILL_REPORT_RETURNS_VOIDS:
      return _ ("Day");
    case TILL_REPORT_MEMBERS:
      return _ ("Member");
    case TILL_REPORT_FINANCE:
    default:
      return _ ("Item");
    }
}

/* "-12" → "-0.12" for @scale 100 and 2 decimals: integer arithmetic, so
 * money stays exact. */
static char *
format_scaled (gint64 value, gint64 scale, guint decimals)
{
  guint64 magnitude = value < 0 ? -(guint64) value : (guint64) value;

  if (decimals == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, value < 0 ? "-" : "", magnitude);
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT, value < 0 ? "-" : "",
                          magnitude / (guint64) scale, (int) decimals, magnitude % (guint64) scale);
}

/* A report value as CSV text: money in yuan without a sign "1234.50",
 * percent "25.34%", quantity "1.25", days "12.5", counts as they are. */
static char *
report_value_text (TillReportValueKind kind, gint64 value)
{
  switch (kind)
    {
    case TILL_REPORT_VALUE_MONEY:
      return format_scaled (value, 100, 2);
    case TILL_REPORT_VALUE_PERCENT:
      {
        g_autofree char *number = format_scaled (value, 100, 2);

        return g_strconcat (number, "%", NULL);
      }
    case TILL_REPORT_VALUE_QUANTITY:
      return till_quantity_format (value);
    case TILL_REPORT_VALUE_DAYS:
      return format_scaled (value, 10, 1);
    case TILL_REPORT_VALUE_COUNT:
    default:
      return format_scaled (value, 1, 0);
    }
}

/* A report row as text cells: its label, then its values. */
static char **
report_row_cells (const TillReport *report, const TillReportRow *row, const char *label)
{
  char **cells = g_new0 (char *, report->columns->len + 2);

  cells[0] = g_strdup (label != NULL ? label : "");
  for (guint c = 0; c < report->columns->len; c++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, c);

      cells[c + 1] = report_value_text (column->kind, row->values[c]);
    }
  return cells;
}

static const char *
totals_label (const TillReport *report)
{
  if (report->totals->label != NULL && report->totals->label[0] != '\0')
    return report->totals->label;
  return _ ("Totals");
}

static GPtrArray *
report_to_rows (const TillReport *report)
{
  GPtrArray *rows = rows_new ();
  char     **header = g_new0 (char *, report->columns->len + 2);

  header[0] = g_strdup (label_title (report->kind));
  for (guint c = 0; c < report->columns->len; c++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, c);

      header[c + 1] = g_strdup (column->title != NULL ? column->title : column->id);
    }
  g_ptr_array_add (rows, header);
  for (guint r = 0; r < report->rows->len; r++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, r);

      g_ptr_array_add (rows, report_row_cells (report, row, row->label));
    }
  if (report->totals != NULL)
    g_ptr_array_add (rows, report_row_cells (report, report->totals, totals_label (report)));
  return rows;
}

/* Writes one report value as an XLSX number in its display format. */
static gboolean
xlsx_write_report_value (XlsxOut            *out,
                         guint               row,
                         guint               column,
                         TillReportValueKind kind,
                         gint64              value,
                         gboolean            bold,
                         GError            **error)
{
  lxw_format *const *decimals = bold ? out->bold_decimals : out->decimals;
  g_autofree char   *text = report_value_text (kind, value);
  guint              width = (guint) strlen (text);

  switch (kind)
    {
    case TILL_REPORT_VALUE_MONEY:
      return xlsx_write_number (out, row, column, (double) value / 100.0, width, decimals[2],
                                error);
    case TILL_REPORT_VALUE_PERCENT:
      return xlsx_write_number (out, row, column, (double) value / 10000.0, width,
                                bold ? out->bold_percent : out->percent, error);
    case TILL_REPORT_VALUE_QUANTITY:
      return xlsx_write_number (out, row, column, (double) value / 1000.0, width,
                                value % 1000 == 0 ? decimals[0] : decimals[3], error);
    case TILL_REPORT_VALUE_DAYS:
      return xlsx_write_number (out, row, column, (double) value / 10.0, width, decimals[1], error);
    case TILL_REPORT_VALUE_COUNT:
    default:
      return xlsx_write_number (out, row, column, (double) value, width, decimals[0], error);
    }
}

static gboolean
xlsx_write_report_row (XlsxOut             *out,
                       const TillReport    *report,
                       guint                row_index,
                       const TillReportRow *row,
                       const char          *label,
                       gboolean             bold,
                       GError             **error)
{
  if (!xlsx_write_text (out, row_index, 0, label != NULL ? label : "", bold ? out->header : NULL,
                        error))
    return FALSE;
  for (guint c = 0; c < report->columns->len; c++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, c);

      if (!xlsx_write_report_value (out, row_index, c + 1, column->kind, row->values[c], bold,
                                    error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
write_report_xlsx (const TillReport *report, const char *path, GError **error)
{
  g_autoptr (XlsxOut) out = NULL;
  guint row_index = 0;

  out = xlsx_out_new (path, report->title, report->columns->len + 1, error);
  if (out == NULL)
    return FALSE;
  if (!xlsx_write_text (out, row_index, 0, label_title (report->kind), out->header, error))
    return FALSE;
  for (guint c = 0; c < report->columns->len; c++)
    {
      const TillReportColumn *column = g_ptr_array_index (report->columns, c);

      if (!xlsx_write_text (out, row_index, c + 1,
                            column->title != NULL ? column->title : column->id, out->header, error))
        return FALSE;
    }
  for (guint r = 0; r < report->rows->len; r++)
    {
      const TillReportRow *row = g_ptr_array_index (report->rows, r);

      if (!xlsx_write_report_row (out, report, ++row_index, row, row->label, FALSE, error))
        return FALSE;
    }
  if (report->totals != NULL && !xlsx_write_report_row (out, report, ++row_index, report->totals,
                                                        totals_label (report), TRUE, error))
    return FALSE;
  return xlsx_out_finish (out, error);
}

/**
 * till_sheet_write_report:
 *
 * Writes @report's table: a header of the label column and the columns'
 * titles, a row per report row (its label, then its values), and the totals
 * row. In XLSX values are numbers: money in yuan formatted "0.00",
 * percentages as percent ("0.00%"), quantities in units, days with one
 * decimal. In CSV they are text as a person reads them ("1234.50",
 * "25.34%").
 */
gboolean
till_sheet_write_report (const TillReport *report,
                         const char       *path,
                         TillSheetFormat   format,
                         GError          **error)
{
  g_autoptr (GPtrArray) rows = NULL;

  g_return_val_if_fail (report != NULL, FALSE);
  g_return_val_if_fail (report->columns != NULL && report->rows != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (format == TILL_SHEET_XLSX)
    return write_report_xlsx (report, path, error);
  rows = report_to_rows (report);
  return write_csv (path, rows, error);
}
