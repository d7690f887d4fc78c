/* till-label-barcode.h: barcodes printed by label scales (大华/顶尖 style)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#if !defined(TILL_CORE_INSIDE) && !defined(TILL_CORE_COMPILATION)
#error "Only <till-core.h> can be included directly."
#endif

#include <glib.h>

#include "till-types.h"

G_BEGIN_DECLS

#define TILL_LABEL_BARCODE_ERROR (till_label_barcode_error_quark ())

typedef enum
{
  TILL_LABEL_BARCODE_ERROR_FAILED,
  TILL_LABEL_BARCODE_ERROR_NO_MATCH,    /* no template has this code's prefix and length */
  TILL_LABEL_BARCODE_ERROR_BAD_CHECK,   /* the code's EAN check digit is wrong */
  TILL_LABEL_BARCODE_ERROR_PRICE_CHECK, /* the price verifier digit is wrong */
  TILL_LABEL_BARCODE_ERROR_TEMPLATE,    /* a template that cannot be read */
} TillLabelBarcodeError;

/* The store setting that holds the templates, and what applies when it is unset. */
#define TILL_LABEL_BARCODE_SETTING "label-barcode.templates"
extern const char *const till_label_barcode_default_templates;

/* A template is the layout a label scale is set to print, written with the
 * letters of Dahua's own software (DEVICES.md §3 [S18b]), one letter per digit:
 *
 *   0-9  the prefix (flag), which the code must start with; only at the start
 *   W    the item code: the product's PLU
 *   E    the amount (price of the label), 2 decimals (fen) unless ",e=N"
 *   N    the weight in kg (or the count), 3 decimals (grams) unless ",n=N"
 *   V    the price verifier digit of the E field (4 or 5 digits; GS1 in-store
 *        codes, DEVICES.md §3 [S37]); at most one, anywhere before the E field
 *   C    the EAN check digit over every digit before it; only at the end
 *   O, X a digit that is not checked (Dahua's trailing "O"), anywhere
 *
 * followed by options: ",e=0..2" decimals of the amount, ",n=0..3" decimals of
 * the weight. W and at least one of E and N are required, each as one run.
 * Example: "21WWWWWEEEEEC" (13 digits, 21 + PLU 5 + amount 5 + check). */
typedef struct _TillLabelTemplate TillLabelTemplate;

/* What a label says. */
typedef struct
{
  char    *plu;          /* the W digits as printed, leading zeros included */
  gboolean has_amount;   /* the label carries the price the customer pays */
  gint64   amount;       /* fen */
  gboolean has_quantity; /* the label carries a weight (or count) */
  gint64   quantity;     /* thousandths: grams, or pieces × 1000 */
  char *template;        /* the template that matched, as written */
} TillLabelBarcode;

GQuark till_label_barcode_error_quark (void);

TillLabelTemplate *till_label_template_parse (const char *text,
                                              GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void               till_label_template_free (TillLabelTemplate *self);
const char        *till_label_template_get_text (const TillLabelTemplate *self);
guint              till_label_template_get_length (const TillLabelTemplate *self);
const char        *till_label_template_get_prefix (const TillLabelTemplate *self);
gboolean           till_label_template_matches (const TillLabelTemplate *self, const char *code);

/* A list of templates separated by ';', ',' before an option excepted, or white
 * space. Returns a GPtrArray of TillLabelTemplate (owning), never empty. */
GPtrArray *till_label_templates_parse (const char *text, GError **error) G_GNUC_WARN_UNUSED_RESULT;
/* The store's templates (setting TILL_LABEL_BARCODE_SETTING), or the defaults. */
GPtrArray *till_label_templates_for_store (TillStore *store,
                                           GError   **error) G_GNUC_WARN_UNUSED_RESULT;
/* Whether @code has the length and prefix of one of @templates: a code that does
 * is a label barcode, or a mistake, never an ordinary product code. */
gboolean till_label_templates_match_any (GPtrArray *templates, const char *code);

/* Reads @code with the first of @templates that has its length and prefix.
 * Errors: NO_MATCH (no template fits: not a label barcode), BAD_CHECK,
 * PRICE_CHECK. */
TillLabelBarcode *till_label_barcode_parse (GPtrArray  *templates,
                                            const char *code,
                                            GError    **error) G_GNUC_WARN_UNUSED_RESULT;
void              till_label_barcode_free (TillLabelBarcode *self);

/* Prints a label code as a scale set to @template would: for tests, the
 * simulators and test labels. @amount and @quantity are used where the
 * template has E and N fields; a value too wide for its field is an error. */
char *till_label_barcode_make (const TillLabelTemplate *template,
                               const char *plu,
                               gint64      amount,
                               gint64      quantity,
                               GError    **error) G_GNUC_WARN_UNUSED_RESULT;

/* The GS1 price verifier digit of a 4- or 5-digit field ([S37]); -1 if @digits
 * is not 4 or 5 digits. */
int till_label_barcode_price_check_digit (const char *digits, gsize n_digits);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillLabelTemplate, till_label_template_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (TillLabelBarcode, till_label_barcode_free)

G_END_DECLS
