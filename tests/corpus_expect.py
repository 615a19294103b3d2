"""What some files of ../shared/corpus must end as: shared by the extraction and indexing tests."""

# The reason (an ExtractionError, or the status stored with the document), or "ok".
CORPUS_EXPECT = {
    "synthetic/zipbomb-document-xml.docx": "too large",
    "synthetic/zipbomb-paragraphs.docx": "too large",
    "synthetic/zipbomb-slide.pptx": "too large",
    "synthetic/many-entries.docx": "too large",
    "synthetic/truncated.docx": "corrupt",
    "synthetic/not-a-zip.docx": "corrupt",
    "synthetic/billion-laughs.docx": "corrupt",
    "pdfjs/test/pdfs/issue3371.pdf": "encrypted",
    "pdfjs/test/pdfs/bug1815476.pdf": "ok",  # encrypted, empty user password
    "py-pdf_sample-files/005-libreoffice-writer-password/libreoffice-writer-password.pdf": "encrypted",
    "ferenda/test/files/wordreader/sample.doc": "unsupported format",
}
