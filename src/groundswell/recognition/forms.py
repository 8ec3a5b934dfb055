from __future__ import annotations

from decimal import Decimal

from django import forms

from groundswell.recognition.models import ContestMethod

DATE = forms.DateInput(attrs={"type": "date"})


class ContestForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="For example “Spring launch raffle”.")
    goal = forms.CharField(max_length=1000, widget=forms.Textarea(attrs={"rows": 3}), help_text="What it is for.")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE, help_text="The last day that counts.")
    method = forms.ChoiceField(
        choices=ContestMethod.choices,
        help_text="A weighted raffle gives everyone who reached the threshold a chance in proportion to their "
        "capped points; top N rewards the highest; most improved compares each person with their own last "
        "three periods.",
    )
    prizes = forms.IntegerField(min_value=1, max_value=100, initial=3, label="Number of winners")
    prize_description = forms.CharField(max_length=200, label="Prize")
    threshold_points = forms.IntegerField(min_value=0, max_value=1_000_000, initial=30, label="Points to take part")
    points_cap = forms.IntegerField(min_value=1, max_value=1_000_000, initial=400, label="Points cap")
    cooldown = forms.IntegerField(
        min_value=0, max_value=24, initial=5, help_text="Winners of this many previous draws sit this one out."
    )
    department = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Only this department")
    location = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label="Only this location")
    admins_can_win = forms.BooleanField(required=False, label="Program admins can win too")

    def __init__(
        self, *args: object, departments: list[tuple[int, str]], locations: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["department"].choices = [("", "Everyone"), *departments]  # type: ignore[attr-defined]
        self.fields["location"].choices = [("", "Everywhere"), *locations]  # type: ignore[attr-defined]


class BonusForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="For example “Bonus pool, March 2027”.")
    starts_on = forms.DateField(widget=DATE)
    ends_on = forms.DateField(widget=DATE, help_text="The last day that counts.")
    currency = forms.CharField(min_length=3, max_length=3, initial="EUR")
    pool = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2, label="Pool")
    threshold = forms.IntegerField(min_value=0, max_value=1_000_000, initial=30, label="Points to qualify")
    cap = forms.IntegerField(min_value=1, max_value=1_000_000, initial=400, label="Points cap")
    floor = forms.DecimalField(min_value=Decimal("0"), max_digits=10, decimal_places=2, initial=Decimal("5.00"))
    ceiling = forms.DecimalField(min_value=Decimal("0.01"), max_digits=10, decimal_places=2, initial=Decimal("100.00"))
