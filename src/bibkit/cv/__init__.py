"""The CV: options and selection, layouts, CSL and pybtex styles, templates, sites."""
