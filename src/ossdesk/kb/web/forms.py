"""Knowledge-base forms: they parse and validate; the kb services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.urls import reverse_lazy

from ossdesk.kb.models import Visibility
from ossdesk.products.models import Product, ProductVersion


class VersionChoiceField(forms.ModelMultipleChoiceField[ProductVersion]):
    def label_from_instance(self, obj: ProductVersion) -> str:
        return f"{obj.product.name} {obj.version}"


class ArticleForm(forms.Form):
    """Write or edit an article. The body previews live (htmx) as it is typed."""

    title = forms.CharField(max_length=200, widget=forms.TextInput(attrs={"autofocus": True}))
    slug = forms.SlugField(
        max_length=200, required=False, help_text="The address: /kb/<slug>/. Made from the title if empty."
    )
    product = forms.ModelChoiceField(
        queryset=Product.objects.all(), required=False, empty_label="Any product (general article)"
    )
    product_versions = VersionChoiceField(
        queryset=ProductVersion.objects.select_related("product"),
        required=False,
        label="Versions",
        help_text="None chosen = every version of the product.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    visibility = forms.ChoiceField(
        choices=Visibility.choices, initial=Visibility.CUSTOMERS, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label="Body (Markdown)",
        widget=forms.Textarea(
            attrs={
                "rows": 18,
                "spellcheck": "true",
                "hx-post": reverse_lazy("web:kb-preview"),
                "hx-trigger": "keyup changed delay:500ms, load",
                "hx-target": "#kb-preview",
                "hx-swap": "innerHTML",
                "aria-describedby": "kb-preview-heading",
            }
        ),
        help_text="Headings, lists, code blocks, tables, links and https images; other HTML is removed.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        product = data.get("product")
        versions = data.get("product_versions") or []
        if product is None and versions:
            self.add_error("product_versions", "Choose the product before its versions.")
        elif product is not None:
            stray = [str(v) for v in versions if v.product_id != product.pk]
            if stray:
                self.add_error("product_versions", f"Not versions of {product}: {', '.join(stray)}.")
        return data


class LinkArticleForm(forms.Form):
    article = forms.IntegerField(min_value=1)
