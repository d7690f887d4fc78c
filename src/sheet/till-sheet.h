/* till-sheet.h: tables in and out of CSV and XLSX files
 *
 * Reading gives rows of text cells (GStrv each), whatever the file was:
 * CSV as RFC 4180 (quoted fields, embedded newlines and quotes, a UTF-8
 * byte-order mark, and GB18030 text as Chinese Excel saves it, converted),
 * or the first worksheet of an XLSX workbook (shared and inline strings,
 * numbers as written, empty cells kept in place). Writing takes rows of text
 * and, per column, whether a cell is text or a number: SKUs and barcodes
 * stay text so no leading zero or digit is lost. XLSX is written with
 * libxlsxwriter and read with minizip and GMarkup.
 *
 * A file that cannot be read (not a CSV, a broken ZIP, a worksheet that does
 * not parse, more than TILL_SHEET_MAX_ROWS rows) is an error with a message
 * a person can act on; nothing is half read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <gio/gio.h>

#include "till-core.h"

G_BEGIN_DECLS

#define TILL_SHEET_ERROR (till_sheet_error_quark ())

typedef enum
{
  TILL_SHEET_ERROR_FAILED,
  TILL_SHEET_ERROR_FORMAT, /* not a file of its kind, or broken */
  TILL_SHEET_ERROR_TOO_BIG,
  TILL_SHEET_ERROR_WRITE,
} TillSheetError;

GQuark till_sheet_error_quark (void);

#define TILL_SHEET_MAX_ROWS 1000000

typedef enum
{
  TILL_SHEET_CSV,
  TILL_SHEET_XLSX,
} TillSheetFormat;

/* By the file name's extension (".xlsx" or anything else: CSV). */
TillSheetFormat till_sheet_format_for_path (const char *path);

/* Reads @path (format by its extension): a GPtrArray of GStrv, one per row. */
GPtrArray *till_sheet_read (const char *path, GError **error);
GPtrArray *till_sheet_read_csv (const char *data, gsize length, GError **error);
GPtrArray *till_sheet_read_xlsx (const char *path, GError **error);

typedef enum
{
  TILL_SHEET_CELL_TEXT,
  TILL_SHEET_CELL_NUMBER, /* a decimal written as text ("12.50"); stored as a number in XLSX */
} TillSheetCellKind;

/* Writes @rows (GStrv each; rows[0] the header, written bold in XLSX) to
 * @path. @column_kinds (NULL: all text) gives each column's kind; a cell
 * of a number column that does not parse is written as text. */
gboolean till_sheet_write (const char              *path,
                           TillSheetFormat          format,
                           const char              *sheet_name,
                           GPtrArray               *rows,
                           const TillSheetCellKind *column_kinds,
                           guint                    n_column_kinds,
                           GError                 **error);

/* A report's table (header, rows, totals) as CSV or XLSX; in XLSX money
 * is a number formatted "0.00" in yuan, percentages as percent. */
gboolean till_sheet_write_report (const TillReport *report,
                                  const char       *path,
                                  TillSheetFormat   format,
                                  GError          **error);

G_END_DECLS
