#!/usr/bin/env python3
"""Exports the UCI optical-recognition-of-handwritten-digits set, as scikit-learn distributes it, to
data/digits.json (read by src/datasets/digits.ts; nothing is fetched at run time).

Source: sklearn.datasets.load_digits() from Debian's python3-sklearn (`apt-get install -y python3-sklearn`; run with
/usr/bin/python3). scikit-learn ships the file in the package (sklearn/datasets/data/digits.csv.gz), so this needs
no network either. 1797 samples: the test part of the UCI set, 8x8 images of integer pixels 0..16, labels 0..9.

File layout (JSON):
  name, source, licence, count, height, width, maxValue  -- descriptive fields
  images: base64 of count*height*width unsigned bytes, row-major, sample after sample (values 0..16)
  labels: base64 of count unsigned bytes (values 0..9)
  sha256: hex SHA-256 of the image bytes followed by the label bytes (checked by the loader)
"""
import base64
import hashlib
import json
import os

import numpy as np
from sklearn.datasets import load_digits

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'digits.json')


def main():
    d = load_digits()
    images = d.images  # (1797, 8, 8) float64 holding integers 0..16
    labels = d.target  # (1797,) int
    assert images.shape == (1797, 8, 8) and labels.shape == (1797,)
    assert np.all(images == np.round(images)) and images.min() >= 0 and images.max() <= 16
    assert labels.min() == 0 and labels.max() == 9
    img_bytes = images.astype(np.uint8).tobytes(order='C')
    lab_bytes = labels.astype(np.uint8).tobytes()
    doc = {
        'name': 'UCI optical recognition of handwritten digits (scikit-learn load_digits)',
        'source': 'sklearn.datasets.load_digits() (scikit-learn %s); a copy of the test set of '
                  'https://archive.ics.uci.edu/dataset/80/optical+recognition+of+handwritten+digits'
                  % __import__('sklearn').__version__,
        'licence': 'CC BY 4.0 (UCI Machine Learning Repository); E. Alpaydin, C. Kaynak (1998), '
                   'doi:10.24432/C50P49',
        'count': int(images.shape[0]),
        'height': 8,
        'width': 8,
        'maxValue': 16,
        'images': base64.b64encode(img_bytes).decode('ascii'),
        'labels': base64.b64encode(lab_bytes).decode('ascii'),
        'sha256': hashlib.sha256(img_bytes + lab_bytes).hexdigest(),
    }
    with open(OUT, 'w') as f:
        json.dump(doc, f, indent=1)
        f.write('\n')
    counts = np.bincount(labels, minlength=10).tolist()
    print('wrote %s (%d bytes), label counts %s' % (OUT, os.path.getsize(OUT), counts))


if __name__ == '__main__':
    main()
