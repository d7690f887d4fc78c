/* till-shelf-label.h: shelf-edge labels (价签) with price and barcode
 *
 * Two ways to print them: on the receipt printer (ESC/POS, one label after
 * another with a cut or a feed between them: name, unit, price large,
 * member price, the barcode as GS k, the SKU and the date printed), or on a
 * label printer behind CUPS, as a PDF of one page per label at the label
 * stock's size, drawn with cairo (EAN-13 and Code 128 bars drawn as
 * rectangles, so any CUPS driver prints them).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <glib.h>

#include "printer/till-printer-profile.h"
#include "till-core.h"

G_BEGIN_DECLS

#define TILL_SHELF_LABEL_ERROR (till_shelf_label_error_quark ())

typedef enum
{
  TILL_SHELF_LABEL_ERROR_FAILED,
  TILL_SHELF_LABEL_ERROR_SIZE, /* a label size too small to hold the price and barcode */
} TillShelfLabelError;

GQuark till_shelf_label_error_quark (void);

typedef struct
{
  const char *name;
  const char *sku;
  const char *barcode;      /* NULL: the SKU is printed as Code 128 */
  const char *unit;         /* 个, 瓶, kg */
  gint64      price;        /* fen (per kg for weighed goods) */
  gint64      member_price; /* fen; 0: none */
  gboolean    weighed;
  const char *printed_day; /* "YYYY-MM-DD" */
} TillShelfLabel;

/* Fills @label from @product (its first barcode, today's date); the
 * strings point into @product and @barcode. */
void till_shelf_label_init_from_product (TillShelfLabel *label,
                                         TillProduct    *product,
                                         const char     *barcode,
                                         const char     *printed_day);

/* ESC/POS bytes for @n_labels labels on the receipt printer. */
GBytes *till_shelf_label_encode (const TillShelfLabel     *labels,
                                 guint                     n_labels,
                                 const TillPrinterProfile *profile) G_GNUC_WARN_UNUSED_RESULT;

/* A PDF with one page per label, @width_mm × @height_mm (common stock:
 * 60 × 40, 50 × 30), for a CUPS label printer. */
gboolean till_shelf_label_write_pdf (const TillShelfLabel *labels,
                                     guint                 n_labels,
                                     double                width_mm,
                                     double                height_mm,
                                     const char           *path,
                                     GError              **error);

G_END_DECLS
