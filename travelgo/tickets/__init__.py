"""The e-ticket and hotel voucher: a QR code of the reference (inline SVG) and a PDF made on the server."""
