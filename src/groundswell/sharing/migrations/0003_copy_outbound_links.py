"""Step 3 of inverting OutboundPost → Share: copy every link across, in one UPDATE per direction (reversible)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def copy_links(apps, schema_editor):  # type: ignore[no-untyped-def]
    Share = apps.get_model("sharing", "Share")
    OutboundPost = apps.get_model("networks", "OutboundPost")
    posts = OutboundPost.objects.filter(share_id=OuterRef("pk")).values("pk")[:1]
    Share.objects.filter(pk__in=OutboundPost.objects.filter(share__isnull=False).values("share_id")).update(
        outbound_id=Subquery(posts)
    )


def copy_links_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    Share = apps.get_model("sharing", "Share")
    OutboundPost = apps.get_model("networks", "OutboundPost")
    shares = Share.objects.filter(outbound_id=OuterRef("pk")).values("pk")[:1]
    OutboundPost.objects.filter(pk__in=Share.objects.filter(outbound__isnull=False).values("outbound_id")).update(
        share_id=Subquery(shares)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sharing", "0002_share_outbound"),
        ("networks", "0005_outboundpost_share_no_reverse_name"),
    ]

    operations = [migrations.RunPython(copy_links, copy_links_back)]
